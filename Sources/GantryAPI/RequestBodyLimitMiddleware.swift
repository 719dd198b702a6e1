import GantryCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Refuses request bodies over `limit` bytes on one route with 413 before anything decodes them,
/// whether the size is announced (`Content-Length`) or streamed.
public struct RequestBodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int
    let path: String
    let detail: String

    public init(limit: Int, path: String, detail: String) {
        self.limit = limit
        self.path = path
        self.detail = detail
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method == .post, request.uri.path == path else { return try await next(request, context) }
        let tooLarge = GantryError(.payloadTooLarge, code: "input_too_large", detail: detail)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw tooLarge
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        }
        request.body = .init(buffer: buffer)
        return try await next(request, context)
    }
}
