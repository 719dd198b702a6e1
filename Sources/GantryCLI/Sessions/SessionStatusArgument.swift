import ArgumentParser
import GantryOpenAPI

/// `--status` for `sessions list`, mapped to the contract's status. A local enum rather than a retroactive
/// `ExpressibleByArgument` conformance on the generated type, which Swift 6 warns about.
enum SessionStatusArgument: String, CaseIterable, ExpressibleByArgument, Sendable {
    case creating
    case running
    case expired
    case terminated
    case failed

    var status: Components.Schemas.SessionStatus {
        switch self {
        case .creating: .creating
        case .running: .running
        case .expired: .expired
        case .terminated: .terminated
        case .failed: .failed
        }
    }
}
