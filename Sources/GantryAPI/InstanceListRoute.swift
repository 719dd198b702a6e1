import GantryEdge
import GantryServices
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves `GET /api/v1/instances` with the hand-written encoding (`InstanceListJSON`), in front
/// of the generated handler. Anything it does not handle exactly as the generated handler would
/// — other query parameters, values that do not parse, an `Accept` other than JSON, any error —
/// goes on to the generated handler, so validation and error answers stay the contract's own.
public struct InstanceListRoute<Context: RequestContext>: RouterMiddleware {
    let services: EdgeServices
    let fragments = InstanceFragmentCache()

    public init(services: EdgeServices) {
        self.services = services
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method == .get, request.uri.path == "/api/v1/instances", Self.acceptsJSON(request.headers),
            let window = Self.window(Array(request.uri.queryParameters)), let credential = RequestCredentials.current
        else { return try await next(request, context) }
        do {
            let caller = try await services.users.authenticate(credential: credential)
            let page = try await services.instances.list(by: caller, skip: window.skip, limit: window.limit)
            guard let body = InstanceListJSON.encode(page, fragments: fragments) else {
                return try await next(request, context)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: body))
        } catch {
            return try await next(request, context)
        }
    }

    /// `skip` and `limit` as the generated handler reads them (defaults 0 and 50), or nil for
    /// any other parameter, a repeated one or one that is not an integer.
    static func window(_ parameters: [(key: Substring, value: Substring)]) -> (skip: Int, limit: Int)? {
        var skip = 0
        var limit = 50
        var seen: Set<Substring> = []
        for (key, value) in parameters {
            guard seen.insert(key).inserted, let number = Int(value) else { return nil }
            switch key {
            case "skip": skip = number
            case "limit": limit = number
            default: return nil
            }
        }
        return (skip, limit)
    }

    static func acceptsJSON(_ headers: HTTPFields) -> Bool {
        guard let accept = headers[.accept] else { return true }
        return accept.contains("application/json") || accept.contains("*/*")
    }
}
