/// What can happen to an instance: a user's request, or what the reconciler did or saw.
public enum InstanceEvent: Sendable, Equatable {
    /// A user asked to stop it (desired state becomes stopped).
    case stopRequested(by: String)
    /// A user asked to start it again (desired state becomes running).
    case startRequested(by: String)
    /// A user asked to terminate it (desired state becomes terminated).
    case terminateRequested(by: String)
    /// The reconciler started its container.
    case containerStarted
    /// The reconciler stopped its container.
    case stopped(reason: String = "stopped")
    /// Its container exited without Gantry stopping it; it stays stopped until started.
    case exitedUnexpectedly(exitCode: Int?)
    /// Its container is gone (or its node is) and it holds nothing any more.
    case terminated(reason: String = "terminated")
    case failed(reason: String)

    /// The phrase a refusal uses: "cannot <action> an instance that is …".
    public var action: String {
        switch self {
        case .stopRequested: "stop"
        case .startRequested: "start"
        case .terminateRequested: "terminate"
        case .containerStarted: "record as running"
        case .stopped: "record as stopped"
        case .exitedUnexpectedly: "record an unexpected exit of"
        case .terminated: "record as terminated"
        case .failed: "fail"
        }
    }
}
