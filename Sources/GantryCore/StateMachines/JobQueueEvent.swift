import Foundation

/// What can happen to a job in the queue. (`JobEvent` is the stored event record the events API
/// replays; this is the input of the job state machine.)
public enum JobQueueEvent: Sendable, Equatable {
    /// A worker claimed the due job and starts an attempt.
    case claimed(worker: String)
    /// The attempt produced a valid result.
    case completed
    /// Attempt `attempt` failed with a retryable failure; the job is due again at `retryAt`.
    case failedWillRetry(attempt: Int, failure: JobFailure, retryAt: Date)
    /// The attempt failed for good (the last attempt, or a failure retrying cannot fix); the
    /// caller dead-letters it as `JobRetryPolicy` decided.
    case failedFinal(JobFailure)
    /// Cancelled while queued, or stopped by its worker while running.
    case cancelled(message: String)
    /// The server stopped during the attempt: back to the queue without using up an attempt.
    case handedBack
    /// The worker holding the job stopped renewing its lease; the attempt counts as failed.
    case workerLost(worker: String, willRetry: Bool)
    /// Due longer than the queue TTL without being claimed.
    case expiredInQueue(ttlSeconds: Int)
    /// An admin put a dead-lettered job back in the queue (the caller checks it is dead-lettered).
    case requeued

    /// The phrase a refusal uses: "cannot <action> a job that is …".
    public var action: String {
        switch self {
        case .claimed: "claim"
        case .completed: "complete"
        case .failedWillRetry: "retry"
        case .failedFinal: "fail"
        case .cancelled: "cancel"
        case .handedBack: "hand back"
        case .workerLost: "recover"
        case .expiredInQueue: "expire"
        case .requeued: "requeue"
        }
    }
}
