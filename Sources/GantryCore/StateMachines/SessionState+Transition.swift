import Foundation

extension SessionState {
    /// The transition `event` causes from this state, with the reason the services record, or a
    /// refusal. Only an active session changes state; only a running one expires (a creating
    /// one is bounded by the creation timeout instead).
    public func transition(
        on event: SessionEvent, at time: Date
    ) throws(TransitionError) -> StateTransition<SessionState> {
        let allowed: Bool
        let next: SessionState
        let reason: String
        var desired: WorkloadDesiredState?
        switch event {
        case .containerRunning:
            (allowed, next, reason) = (self == .creating, .running, "running")
        case .expired(let ttlEnd):
            (allowed, next, reason) = (self == .running, .expired, "TTL reached at \(ttlEnd)")
            desired = .absent
        case .terminated(let username):
            (allowed, next, reason) = (isActive, .terminated, "deleted by \(username)")
            desired = .absent
        case .failed(let why):
            (allowed, next, reason) = (isActive, .failed, why)
        case .creationTimedOut:
            (allowed, next, reason) = (self == .creating, .failed, "creation did not finish")
        }
        guard allowed, canTransition(to: next) else {
            throw TransitionError(kind: .session, state: rawValue, action: event.action)
        }
        return StateTransition(from: self, to: next, reason: reason, at: time, desired: desired)
    }
}
