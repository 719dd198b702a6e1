/// Why `nvidia-smi` gave no inventory. A host without a GPU or driver is not an error: the source
/// reports `.empty` for that; these mean something is there but broken.
public enum NvidiaSMIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `nvidia-smi -q -x` printed something that is not its XML report.
    case malformedXML(String)
    /// It exited non-zero for a reason other than "no GPU or no driver".
    case commandFailed(arguments: [String], status: Int32, output: String)
    /// It did not finish in time and was killed; a wedged driver looks like this.
    case timedOut(arguments: [String], after: Duration)
    /// The executable exists but could not be started.
    case launchFailed(path: String, reason: String)

    /// Stable and machine-readable, like `GantryError.code`.
    public var code: String {
        switch self {
        case .malformedXML: "nvidia_smi_malformed_xml"
        case .commandFailed: "nvidia_smi_failed"
        case .timedOut: "nvidia_smi_timed_out"
        case .launchFailed: "nvidia_smi_launch_failed"
        }
    }

    public var description: String {
        switch self {
        case .malformedXML(let detail):
            "\(code): nvidia-smi -q -x output is not a valid report: \(detail)"
        case .commandFailed(let arguments, let status, let output):
            "\(code): nvidia-smi \(arguments.joined(separator: " ")) exited with status \(status): \(output)"
        case .timedOut(let arguments, let after):
            "\(code): nvidia-smi \(arguments.joined(separator: " ")) did not finish within \(after)"
        case .launchFailed(let path, let reason):
            "\(code): could not start \(path): \(reason)"
        }
    }
}
