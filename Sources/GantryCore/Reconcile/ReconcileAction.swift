import Foundation

/// One step of a reconcile plan, in terms of what should happen rather than how: the executor in
/// the services layer carries it out against the engine and the store, recording state through
/// the state machines (each case names the event to apply).
public enum ReconcileAction: Sendable, Equatable {
    /// Pull the image if missing, ensure the network (isolated when the template says so),
    /// create the container if none is recorded, start it, record running
    /// (`InstanceEvent.containerStarted`, `SessionEvent.containerRunning`).
    case launch(WorkloadReference)
    /// Stop the container, record stopped (`InstanceEvent.stopped()`).
    case stop(WorkloadReference)
    /// Remove the container if there is one and an engine to ask, record terminated
    /// (`InstanceEvent.terminated(reason:)`). On a node without an engine this only records.
    case terminate(WorkloadReference, reason: String)
    /// Remove the container if there is one, record failed (`…Event.failed(reason:)`).
    case fail(WorkloadReference, reason: String)
    /// The container exited on its own: record the instance stopped and wanted stopped
    /// (`InstanceEvent.exitedUnexpectedly(exitCode:)`).
    case markStopped(WorkloadReference, exitCode: Int?)
    /// The session's TTL ran out at `ttlEnd`: record it expired, then remove the container
    /// (`SessionEvent.expired(ttlEnd:)`).
    case expire(WorkloadReference, ttlEnd: Date)
    /// A container of this installation that no workload owns.
    case removeDangling(node: String, containerID: String, name: String, reason: String)

    /// The workload the action is for; nil for a dangling container.
    public var workload: WorkloadReference? {
        switch self {
        case .launch(let workload), .stop(let workload), .terminate(let workload, _), .fail(let workload, _),
            .markStopped(let workload, _), .expire(let workload, _):
            workload
        case .removeDangling:
            nil
        }
    }

    /// The node whose engine the action needs.
    public var node: String {
        switch self {
        case .launch(let workload), .stop(let workload), .terminate(let workload, _), .fail(let workload, _),
            .markStopped(let workload, _), .expire(let workload, _):
            workload.node
        case .removeDangling(let node, _, _, _):
            node
        }
    }

    /// The reason the executor records or logs, exactly as the state machines write it; nil for
    /// launch and stop, whose recorded reasons are the state machines' own.
    public var reason: String? {
        switch self {
        case .launch, .stop: nil
        case .terminate(_, let reason), .fail(_, let reason), .removeDangling(_, _, _, let reason): reason
        case .markStopped(_, let exitCode): "container exited unexpectedly\(exitCode.map { " with code \($0)" } ?? "")"
        case .expire(_, let ttlEnd): "TTL reached at \(ttlEnd)"
        }
    }
}
