import Foundation

extension JobStatus {
    /// DESIGN.md's job machine: `queued → processing → completed | failed`; a retryable failure
    /// (or a lost worker, or a server stopping) returns it to `queued`; a dead-lettered failed job
    /// is requeued by an admin. Reasons are the event messages the workers and the store write.
    public func transition(
        on event: JobQueueEvent, at time: Date
    ) throws(TransitionError) -> StateTransition<JobStatus> {
        let from: [JobStatus]
        let next: JobStatus
        let reason: String
        var desired: WorkloadDesiredState?
        switch event {
        case .claimed(let worker):
            (from, next, reason) = ([.queued], .processing, "attempt started by \(worker)")
        case .completed:
            (from, next, reason) = ([.processing], .completed, "completed")
        case .failedWillRetry(let attempt, let failure, let retryAt):
            (from, next) = ([.processing], .queued)
            reason =
                "attempt \(attempt) failed (\(failure.reason.rawValue)); retry at \(retryAt.formatted(.iso8601))"
        case .failedFinal(let failure):
            (from, next, reason) = ([.processing], .failed, failure.description)
        case .cancelled(let message):
            (from, next, reason) = ([.queued, .processing], .failed, JobFailure(.cancelled, message).description)
            desired = .absent
        case .handedBack:
            (from, next, reason) = ([.processing], .queued, "handed back to the queue: the server is stopping")
        case .workerLost(let worker, let willRetry):
            let failure = JobFailure(.workerLost, "worker \(worker) stopped renewing its lease")
            (from, next) = ([.processing], willRetry ? .queued : .failed)
            reason = willRetry ? "\(failure.description); retrying" : failure.description
        case .expiredInQueue(let ttlSeconds):
            let failure = JobFailure(.expired, "waited in the queue longer than \(ttlSeconds) s")
            (from, next, reason) = ([.queued], .failed, failure.description)
        case .requeued:
            (from, next, reason) = ([.failed], .queued, "requeued from the dead letters")
        }
        guard from.contains(self) else { throw TransitionError(kind: .job, state: rawValue, action: event.action) }
        return StateTransition(from: self, to: next, reason: reason, at: time, desired: desired)
    }
}
