import ArgumentParser
import GantryOpenAPI

/// `--status` for `jobs list`, mapped to the contract's status. A local enum rather than a retroactive
/// `ExpressibleByArgument` conformance on the generated type, which Swift 6 warns about.
enum JobStatusArgument: String, CaseIterable, ExpressibleByArgument, Sendable {
    case queued
    case processing
    case completed
    case failed

    var status: Components.Schemas.JobStatus {
        switch self {
        case .queued: .queued
        case .processing: .processing
        case .completed: .completed
        case .failed: .failed
        }
    }
}
