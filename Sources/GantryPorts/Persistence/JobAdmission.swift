import Foundation
import GantryCore

/// Limits checked in the same transaction that queues a job.
public struct JobAdmission: Sendable, Equatable {
    /// Most jobs one user may create per `rateWindow`; nil for no limit.
    public var rateLimit: Int?
    public var rateWindow: Duration
    /// Most jobs waiting in the queue.
    public var maxQueued: Int
    /// Count the queue exactly in the transaction; skipped while it is known to be far from full.
    public var checksQueueDepth: Bool

    public init(rateLimit: Int?, rateWindow: Duration = .seconds(60), maxQueued: Int, checksQueueDepth: Bool = true) {
        self.rateLimit = rateLimit
        self.rateWindow = rateWindow
        self.maxQueued = maxQueued
        self.checksQueueDepth = checksQueueDepth
    }
}
