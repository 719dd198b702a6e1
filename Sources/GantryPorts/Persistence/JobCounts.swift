import Foundation
import GantryCore

public struct JobCounts: Sendable, Equatable {
    public var byStatus: [JobStatus: Int]
    public var deadLettered: Int
    /// Queued jobs whose `run_at` has come.
    public var due: Int

    public init(byStatus: [JobStatus: Int], deadLettered: Int, due: Int) {
        self.byStatus = byStatus
        self.deadLettered = deadLettered
        self.due = due
    }
}
