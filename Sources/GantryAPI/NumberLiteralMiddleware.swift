import GantryOpenAPI
import HTTPTypes
import Hummingbird
import NIOCore

/// Gives each API request a `NumberLiterals` and, when its response used any, writes the
/// literals into the encoded body in place of their placeholders.
public struct NumberLiteralMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let literals = NumberLiterals()
        var response = try await NumberLiterals.$current.withValue(literals) { try await next(request, context) }
        guard !literals.isEmpty else { return response }
        let collected = CollectedBody()
        try await response.body.write(CollectingWriter(sink: collected))
        let spliced = literals.splice(into: Array(collected.buffer.readableBytesView))
        response.headers[.contentLength] = nil
        response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: spliced))
        return response
    }
}

/// The encoded body, gathered whole: a placeholder may span two of the buffers it is written in.
private final class CollectedBody {
    var buffer = ByteBuffer()
}

private struct CollectingWriter: ResponseBodyWriter {
    let sink: CollectedBody

    mutating func write(_ buffer: ByteBuffer) async throws {
        sink.buffer.writeImmutableBuffer(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
