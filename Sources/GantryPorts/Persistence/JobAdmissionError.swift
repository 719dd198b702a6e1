import Foundation
import GantryCore

public enum JobAdmissionError: Error, Sendable, Equatable {
    /// The owner has created `limit` jobs within the window; the oldest leaves it after `retryAfter`.
    case rateLimited(limit: Int, retryAfter: Duration)
    case queueFull(maxQueued: Int)
}
