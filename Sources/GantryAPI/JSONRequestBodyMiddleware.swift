import Foundation
import GantryCore
import HTTPTypes
import Hummingbird
import NIOCore

/// The exact JSON document of the request being handled, read by `JSONRequestBodyMiddleware`.
/// The generated decoders read free-form members (job inputs, plugin schemas) through
/// `OpenAPIValueContainer`, which turns every number into an `Int` or a `Double`; handlers take
/// those members from here instead, numbers as they were written.
public enum JSONRequestBody {
    @TaskLocal public static var current: JSONValue?

    /// A top-level member of the body as sent; nil when there is no exact document or no such member.
    static func member(_ key: String) -> JSONValue? {
        current?[key]
    }

    /// The top-level members that hold free-form JSON, which handlers take from here.
    static let freeFormMembers = ["input_data", "input_schema", "output_schema"]

    /// The document with numbers no `Double` holds (`1e400`) made `null` inside the free-form
    /// members, for the generated decoder, which would refuse the whole body for them; nil when
    /// there are none. The handler reads those members exact from `current`.
    static func decodable(_ document: JSONValue) -> JSONValue? {
        guard case .object(var members) = document else { return nil }
        var changed = false
        for key in freeFormMembers {
            guard let member = members[key],
                let readable = member.replacingNumbers({ $0.doubleValue.isFinite ? nil : .null })
            else { continue }
            members[key] = readable
            changed = true
        }
        return changed ? .object(members) : nil
    }
}

/// Parses every JSON request body once with Gantry's own parser, after `RequestBodyLimitMiddleware`
/// has read it within its limit. A body in which an object has the same key twice is refused
/// (400 `duplicate_key`: the generated decoders would keep one of them silently), and so is a
/// `null` in a field openapi.yaml declares (400 `invalid_request`: the decoders would read it as
/// the field left out); a valid one is kept for the handlers (`JSONRequestBody`); text that is
/// not JSON goes on to the generated decoder, whose error answer is the contract's.
public struct JSONRequestBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    let fields: DeclaredRequestFields

    public init(fields: DeclaredRequestFields) {
        self.fields = fields
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let type = request.headers[.contentType], type.lowercased().contains("json") else {
            return try await next(request, context)
        }
        var request = request
        let body = try await request.collectBody(upTo: .max)
        let parsed = body.withUnsafeReadableBytes { bytes in
            Result { () throws(JSONValueError) in try JSONValue(parsing: bytes) }
        }
        let document: JSONValue
        switch parsed {
        case .success(let value):
            document = value
        case .failure(.duplicateKey(let duplicate)):
            throw GantryError(
                .invalidInput, code: "duplicate_key", detail: "the request body is ambiguous: \(duplicate)")
        case .failure(.malformed):
            return try await next(request, context)
        }
        if let endpoint = context.endpointPath,
            let path = fields.firstNull(in: document, method: request.method.rawValue, endpoint: endpoint)
        {
            throw GantryError(
                .invalidInput, code: "invalid_request",
                detail: "request body is not valid: \(path) is null; leave it out instead")
        }
        if let readable = JSONRequestBody.decodable(document) {
            request.body = RequestBody(buffer: ByteBuffer(bytes: readable.serializedBytes()))
        }
        return try await JSONRequestBody.$current.withValue(document) { try await next(request, context) }
    }
}
