import Foundation
import GantryCore

/// An attempt's outcome to write: the job in its new state and the event that says so.
public struct JobOutcome: Sendable, Equatable {
    public var job: Job
    public var event: JobEvent

    public init(job: Job, event: JobEvent) {
        self.job = job
        self.event = event
    }
}
