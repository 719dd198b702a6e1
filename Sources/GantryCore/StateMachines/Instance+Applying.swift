import Foundation

extension Instance {
    /// The instance after `transition`: state, reason and times, the desired state the event
    /// implies, and what a state that holds nothing gives up. The host port goes with every such
    /// state; the container id goes on `terminated` and `failed`, since the executor removes the
    /// container before recording either (InstanceReconciler's `record` and `fail`).
    public func applying(_ transition: StateTransition<InstanceState>) -> Instance {
        var next = self
        next.state = transition.to
        next.stateReason = transition.reason
        next.stateChangedAt = transition.at
        next.updatedAt = transition.at
        if let desired = transition.desired { next.desiredState = DesiredState(desired) }
        if !transition.to.holdsResources {
            next.hostPort = nil
            next.containerID = nil
        }
        return next
    }
}
