import Foundation

/// Seed 003's retry rule: up to `maxRetries` retries with exponential backoff from `baseDelay`
/// (1 s, 2 s, 4 s), then the job fails and is dead-lettered.
public struct JobRetryPolicy: Sendable, Equatable {
    public enum Decision: Sendable, Equatable {
        case retry(at: Date)
        /// Fail for good; `deadLetter` unless someone cancelled it, so an admin can requeue it
        /// once its cause is fixed (as a broker's dead-letter exchange receives rejected messages).
        case fail(deadLetter: Bool)
    }

    public var maxRetries: Int
    public var baseDelay: Duration
    /// Backoff never grows past this, however many retries are allowed.
    public var maxDelay: Duration

    public init(maxRetries: Int = 3, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(3600)) {
        self.maxRetries = max(0, maxRetries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Attempts a job gets in all: the first plus the retries.
    public var maxAttempts: Int { maxRetries + 1 }

    /// The wait before retry number `retry` (1-based): base × 2^(retry−1), capped.
    public func delay(beforeRetry retry: Int) -> Duration {
        let exponent = min(max(retry - 1, 0), 40)
        let seconds = baseDelay.seconds * Double(UInt64(1) << UInt64(exponent))
        return min(.milliseconds(Int64((seconds * 1000).rounded())), maxDelay)
    }

    /// What to do after attempt `attempt` (1-based) of at most `maxAttempts` failed with `failure`.
    public func decide(after failure: JobFailure, attempt: Int, maxAttempts: Int, now: Date) -> Decision {
        guard failure.reason.isRetryable else {
            return .fail(deadLetter: failure.reason != .cancelled)
        }
        guard attempt < maxAttempts else { return .fail(deadLetter: true) }
        return .retry(at: now.addingTimeInterval(delay(beforeRetry: attempt).seconds))
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
