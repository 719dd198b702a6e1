import GantryCore
import HTTPTypes
import Hummingbird
import NIOCore

/// How large a request body may be: a small limit for every route, larger ones for the routes
/// that carry big documents (job input, plugin manifests). Routes are matched on the path as the
/// router resolves it, empty segments ignored, so `//api/v1/jobs/` is `/api/v1/jobs`.
public struct RequestBodyLimits: Sendable {
    public struct Rule: Sendable, Equatable {
        /// Path segments a request's path starts with.
        public var prefix: [String]
        public var limit: Int
        public var code: String
        public var detail: String

        public init(prefix: String, limit: Int, code: String = "body_too_large", detail: String? = nil) {
            self.prefix = prefix.split(separator: "/").map(String.init)
            self.limit = limit
            self.code = code
            self.detail = detail ?? "the request body is limited to \(limit) bytes here"
        }
    }

    public var defaultRule: Rule
    public var rules: [Rule]

    public init(defaultLimit: Int, rules: [Rule]) {
        self.defaultRule = Rule(prefix: "", limit: defaultLimit)
        self.rules = rules
    }

    /// The longest rule whose prefix the path starts with, else the default.
    public func rule(for path: String) -> Rule {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var best = defaultRule
        for rule in rules where rule.prefix.count > best.prefix.count && rule.prefix.count <= segments.count {
            if zip(rule.prefix, segments).allSatisfy({ $0 == $1 }) { best = rule }
        }
        return best
    }
}

/// Refuses request bodies over their route's limit with 413 before anything decodes them:
/// at once when `Content-Length` says so, and as soon as a streamed (chunked) body passes it.
/// Bodies within the limit are read here, so the handlers behind see them whole. A client that
/// goes away mid-body is a 400 nobody reads, not a server error.
public struct RequestBodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limits: RequestBodyLimits

    public init(limits: RequestBodyLimits) {
        self.limits = limits
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let length = request.headers[.contentLength].flatMap { Int($0) }
        guard length.map({ $0 > 0 }) ?? (request.headers[.transferEncoding] != nil) else {
            return try await next(request, context)
        }
        let rule = limits.rule(for: request.uri.path)
        if let length, length > rule.limit { return tooLarge(rule, context: context) }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: rule.limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return tooLarge(rule, context: context)
        } catch is NIOTooManyBytesError {
            return tooLarge(rule, context: context)
        } catch {
            throw GantryError(
                .invalidInput, code: "incomplete_body", detail: "the request body ended before it was complete")
        }
        request.body = .init(buffer: buffer)
        return try await next(request, context)
    }

    private func tooLarge(_ rule: RequestBodyLimits.Rule, context: Context) -> Response {
        ErrorResponse.response(
            for: GantryError(.payloadTooLarge, code: rule.code, detail: rule.detail), requestID: context.id)
    }
}
