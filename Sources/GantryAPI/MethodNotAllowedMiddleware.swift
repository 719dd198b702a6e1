import GantryCore
import HTTPTypes
import Hummingbird
import Synchronization

/// Answers a request whose path is a route but whose method is not one of that route's with
/// 405 and `Allow` (RFC 9110 §15.5.6), where the router alone would say 404. Only requests the
/// router found no handler for reach the check (their context has no endpoint path), so the
/// routes that match pay nothing.
public struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteMethods

    public init(routes: RouteMethods) {
        self.routes = routes
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard context.endpointPath == nil, let allowed = routes.methods(for: request.uri.path),
            !allowed.contains(request.method)
        else { return try await next(request, context) }
        let names = allowed.map(\.rawValue).sorted()
        var response = ErrorResponse.response(
            for: GantryError(
                .methodNotAllowed, code: "method_not_allowed",
                detail:
                    "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(names.joined(separator: ", "))"
            ),
            requestID: context.id)
        response.headers[.allow] = names.joined(separator: ", ")
        return response
    }
}

/// The methods of every route a router has, looked up by request path the way the router
/// resolves it: a literal segment wins over a capture, a capture over a wildcard. Filled in once
/// all routes are registered (`load`), since the middleware has to be added before them.
public final class RouteMethods: Sendable {
    private struct Route {
        let components: [RouterPath.Element]
        var methods: Set<HTTPRequest.Method>
    }

    private let routes = Mutex<[Route]>([])

    public init() {}

    public func load(_ descriptions: [Router<some RequestContext>.RouteDescription]) {
        var byPath: [String: Route] = [:]
        for description in descriptions {
            byPath[description.path.description, default: Route(components: description.path.components, methods: [])]
                .methods.insert(description.method)
        }
        routes.withLock { $0 = Array(byPath.values) }
    }

    /// The methods of the route `path` resolves to, or nil when it resolves to none.
    public func methods(for path: String) -> Set<HTTPRequest.Method>? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.withLock { routes in
            var best: (rank: [Int], methods: Set<HTTPRequest.Method>)?
            for route in routes {
                guard let rank = Self.rank(route.components, matching: segments) else { continue }
                if let current = best, !current.rank.lexicographicallyPrecedes(rank) { continue }
                best = (rank, route.methods)
            }
            return best?.methods
        }
    }

    /// How specifically each segment is matched (2 literal, 1 capture, 0 wildcard), or nil when
    /// the route does not match.
    private static func rank(_ components: [RouterPath.Element], matching segments: [Substring]) -> [Int]? {
        var rank: [Int] = []
        for (index, component) in components.enumerated() {
            if component == RouterPath.Element.recursiveWildcard {
                return index < segments.count ? rank + [0] : nil
            }
            guard index < segments.count, component ~= segments[index] else { return nil }
            rank.append(component == segments[index] ? 2 : component == RouterPath.Element.wildcard ? 0 : 1)
        }
        return components.count == segments.count ? rank : nil
    }
}
