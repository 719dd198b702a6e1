import Foundation

extension InstanceState {
    /// The transition `event` causes from this state, with the reason the services record, or a
    /// refusal. Every transition it returns is one `canTransition(to:)` allows; events narrow
    /// that further (a user may stop only a pending or running instance).
    public func transition(
        on event: InstanceEvent, at time: Date
    ) throws(TransitionError) -> StateTransition<InstanceState> {
        let allowed: Bool
        let next: InstanceState
        let reason: String
        var desired: WorkloadDesiredState?
        switch event {
        case .stopRequested(let username):
            (allowed, next, reason) = (self == .running || self == .pending, .stopping, "stop requested by \(username)")
            desired = .stopped
        case .startRequested(let username):
            (allowed, next, reason) = (self == .stopped, .pending, "start requested by \(username)")
            desired = .running
        case .terminateRequested(let username):
            (allowed, next, reason) = (
                canTransition(to: .terminating), .terminating, "terminate requested by \(username)"
            )
            desired = .absent
        case .containerStarted:
            (allowed, next, reason) = (self == .pending, .running, "running")
        case .stopped(let why):
            (allowed, next, reason) = ([.stopping, .running, .pending].contains(self), .stopped, why)
        case .exitedUnexpectedly(let exitCode):
            let code = exitCode.map { " with code \($0)" } ?? ""
            (allowed, next, reason) = (self == .running, .stopped, "container exited unexpectedly\(code)")
            desired = .stopped
        case .terminated(let why):
            (allowed, next, reason) = (canTransition(to: .terminated), .terminated, why)
        case .failed(let why):
            (allowed, next, reason) = (canTransition(to: .failed), .failed, why)
        }
        guard allowed else { throw TransitionError(kind: .instance, state: rawValue, action: event.action) }
        return StateTransition(from: self, to: next, reason: reason, at: time, desired: desired)
    }
}
