import Foundation

extension GPUSession {
    /// The session after `transition`. A running session shows no reason (as SessionService
    /// records it); every end sets `endedAt`, which frees the device and the quota. A session
    /// keeps no desired state of its own, so `transition.desired` needs no field here.
    public func applying(_ transition: StateTransition<SessionState>) -> GPUSession {
        var next = self
        next.state = transition.to
        next.stateReason = transition.to == .running ? nil : transition.reason
        next.updatedAt = transition.at
        if !transition.to.isActive { next.endedAt = transition.at }
        return next
    }
}
