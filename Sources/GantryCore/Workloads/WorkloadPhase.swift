/// Where a workload is in its life, in terms common to every kind; each kind's own states map
/// onto these.
public enum WorkloadPhase: String, Sendable, Equatable, Codable, CaseIterable {
    /// Its container is not known to run yet (an instance pending, a session creating, a job
    /// attempt starting).
    case pending
    case running
    case stopping
    case stopped
    /// Being terminated.
    case ending
    /// Terminal: terminated, failed, expired or completed. It holds nothing any more.
    case ended
}
