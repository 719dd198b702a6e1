/// What sort of thing a workload is. The raw values are the `gantry.kind` label values every
/// container carries, so they never change. Later kinds (desktop sessions on Slurm, jobs on Ray)
/// are added here.
public enum WorkloadKind: String, Sendable, Codable, CaseIterable {
    case instance
    case session
    case job

    /// Whether the reconciler creates and drives this kind's containers. A job attempt's
    /// container belongs to the job worker for its whole life; the reconciler only sweeps what
    /// an attempt left behind.
    public var isReconciled: Bool {
        switch self {
        case .instance, .session: true
        case .job: false
        }
    }
}
