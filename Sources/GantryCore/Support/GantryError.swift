/// The one error type the services throw. `code` is stable and machine-readable; the edge maps
/// `kind` to an HTTP status in one place.
public struct GantryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case invalidInput
        case unauthorized
        case forbidden
        case notFound
        case conflict
        case quotaExceeded
        case insufficientCapacity
        case unavailable
        case payloadTooLarge
        case methodNotAllowed
        case rateLimited
        case internalFailure
    }

    public var kind: Kind
    public var code: String
    public var detail: String
    /// The quota resource that was exceeded, when `kind == .quotaExceeded`.
    public var resource: String?
    /// Node by node, what is short, when `kind == .insufficientCapacity`.
    public var shortfalls: [NodeShortfall]?
    /// How long to wait before trying again (`Retry-After`), for `rateLimited` and `unavailable`.
    public var retryAfterSeconds: Int?

    public init(
        _ kind: Kind, code: String, detail: String, resource: String? = nil,
        shortfalls: [NodeShortfall]? = nil, retryAfterSeconds: Int? = nil
    ) {
        self.retryAfterSeconds = retryAfterSeconds
        self.kind = kind
        self.code = code
        self.detail = detail
        self.resource = resource
        self.shortfalls = shortfalls
    }

    public var description: String { "\(code): \(detail)" }

    public static func invalid(_ detail: String) -> GantryError {
        GantryError(.invalidInput, code: "invalid_request", detail: detail)
    }
    public static func notFound(_ what: String) -> GantryError {
        GantryError(.notFound, code: "not_found", detail: "\(what) not found")
    }
    public static func conflict(_ detail: String) -> GantryError {
        GantryError(.conflict, code: "conflict", detail: detail)
    }
    public static func unauthorized(_ detail: String) -> GantryError {
        GantryError(.unauthorized, code: "unauthorized", detail: detail)
    }
    public static func forbidden(_ detail: String) -> GantryError {
        GantryError(.forbidden, code: "forbidden", detail: detail)
    }
    public static func unavailable(_ detail: String) -> GantryError {
        GantryError(.unavailable, code: "unavailable", detail: detail)
    }
    public static func invalidState(_ detail: String) -> GantryError {
        GantryError(.conflict, code: "invalid_state", detail: detail)
    }
}
