import Foundation
import GantryCore

/// What a worker holds: a claimed job's lease, and whether someone asked to cancel it.
public struct JobLeaseStatus: Sendable, Equatable {
    public var jobID: UUID
    public var cancelRequested: Bool

    public init(jobID: UUID, cancelRequested: Bool) {
        self.jobID = jobID
        self.cancelRequested = cancelRequested
    }
}
