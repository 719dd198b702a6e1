import GantryCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Refuses a JSON request body in which an object has the same key twice (400
/// `duplicate_key`): the generated decoders would keep one of them silently. It runs after
/// `RequestBodyLimitMiddleware`, which has already read the body within its limit.
public struct DuplicateJSONKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let type = request.headers[.contentType], type.lowercased().contains("json") else {
            return try await next(request, context)
        }
        var request = request
        let body = try await request.collectBody(upTo: .max)
        if let duplicate = body.withUnsafeReadableBytes({ JSONDuplicateKeys.first(in: $0) }) {
            throw GantryError(
                .invalidInput, code: "duplicate_key", detail: "the request body is ambiguous: \(duplicate)")
        }
        return try await next(request, context)
    }
}
