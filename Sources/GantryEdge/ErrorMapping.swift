import GantryCore
import GantryPorts
import Hummingbird

/// How every edge turns what was thrown into a Gantry error and a status: the API's JSON errors
/// and the dashboard's pages answer the same failure with the same status.
public enum ErrorMapping {
    public static func status(for kind: GantryError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .invalidInput: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .quotaExceeded: .forbidden
        case .insufficientCapacity: .conflict
        case .unavailable: .serviceUnavailable
        case .payloadTooLarge: .contentTooLarge
        case .methodNotAllowed: .methodNotAllowed
        case .rateLimited: .tooManyRequests
        case .internalFailure: .internalServerError
        }
    }

    /// The Gantry error behind whatever was thrown, and whether it is one we expected.
    public static func gantryError(for error: any Error) -> (GantryError, expected: Bool) {
        switch error {
        case let error as GantryError:
            return (error, true)
        case let error as StoreError:
            switch error {
            case .unavailable(let detail): return (.unavailable("database unavailable: \(detail)"), false)
            case .notFound: return (.notFound("record"), true)
            case .duplicate(let field): return (.conflict("\(field) already exists"), true)
            }
        case let error as ContainerRuntimeError:
            return (GantryError(.unavailable, code: "engine_unavailable", detail: error.description), false)
        case let error as HTTPError:
            let kind: GantryError.Kind =
                switch error.status.code {
                case 404: .notFound
                case 401: .unauthorized
                case 403: .forbidden
                case 400..<500: .invalidInput
                default: .internalFailure
                }
            return (
                GantryError(
                    kind, code: kind == .notFound ? "not_found" : "invalid_request",
                    detail: error.body ?? error.status.reasonPhrase), true
            )
        default:
            return (GantryError(.internalFailure, code: "internal_error", detail: "an internal error occurred"), false)
        }
    }
}
