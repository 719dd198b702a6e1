/// What should become of a workload, whatever its kind: the reconciler drives toward it.
public enum WorkloadDesiredState: String, Sendable, Equatable, Codable, CaseIterable {
    case running
    case stopped
    /// Gone: its container removed and its resources released.
    case absent
}
