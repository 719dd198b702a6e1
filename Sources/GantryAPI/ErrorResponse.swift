import Foundation
import GantryCore
import GantryEdge
import GantryOpenAPI
import GantryPorts
import GantryServices
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAPIRuntime

/// Maps any error to the JSON error body `{"error", "detail"}` and its status — in one place.
public enum ErrorResponse {
    public static func status(for kind: GantryError.Kind) -> HTTPResponse.Status { ErrorMapping.status(for: kind) }

    /// The Gantry error behind whatever was thrown, and whether it is one we expected: the
    /// generated server's wrapping unwrapped here, the rest mapped as every edge maps it.
    public static func gantryError(for error: any Error) -> (GantryError, expected: Bool) {
        guard let error = error as? ServerError else { return ErrorMapping.gantryError(for: error) }
        if let inner = error.underlyingError as? GantryError { return (inner, true) }
        if let decoding = error.underlyingError as? DecodingError {
            if let parameter = failedQueryParameter(error) {
                return (
                    .invalid("query parameter \(parameter) must be a whole number in the range openapi.yaml gives"),
                    true
                )
            }
            return (.invalid("request body is not valid: \(describe(decoding))"), true)
        }
        if (400..<500).contains(error.httpStatus.code) {
            return (.invalid("request is not valid: \(error.underlyingError)"), true)
        }
        return gantryError(for: error.underlyingError)
    }

    /// The integer query parameter whose value is not a 64-bit whole number
    /// (`skip=99999999999999999999`, `limit=abc`), when that is what failed to decode: the
    /// decoder's error names no parameter, so the query is read again.
    static func failedQueryParameter(_ error: ServerError) -> String? {
        let query = error.request.path.flatMap { $0.split(separator: "?", maxSplits: 1).dropFirst().first } ?? ""
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first, integerQueryParameters.contains(String(name)) else { continue }
            if parts.count < 2 || Int(parts[1]) == nil { return String(name) }
        }
        return nil
    }

    /// The integer query parameters openapi.yaml declares.
    static let integerQueryParameters: Set<String> = ["skip", "limit", "tail"]

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            "\(path(context)) must be \(typeName(type))"
        case .valueNotFound(let type, let context):
            "\(path(context)) must be \(typeName(type)), not null"
        case .keyNotFound(let key, let context):
            "\(path(context, appending: key.stringValue)) is required"
        case .dataCorrupted(let context):
            context.codingPath.isEmpty ? "malformed JSON" : "\(path(context)) is not valid"
        @unknown default:
            "malformed JSON"
        }
    }

    private static func path(_ context: DecodingError.Context, appending key: String? = nil) -> String {
        let keys = context.codingPath.map(\.stringValue) + (key.map { [$0] } ?? [])
        return keys.isEmpty ? "body" : keys.joined(separator: ".")
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is any BinaryInteger.Type: "an integer"
        case is any BinaryFloatingPoint.Type: "a number"
        case is Bool.Type: "a boolean"
        // Never a Swift type name: the caller knows JSON, not our types.
        default: String(describing: type).hasPrefix("Array<") ? "an array" : "an object"
        }
    }

    static func response(for error: GantryError, requestID: String?) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = (try? encoder.encode(Components.Schemas._Error(error))) ?? Data(#"{"error":"internal_error"}"#.utf8)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if error.kind == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let requestID, let name = HTTPField.Name("X-Request-ID") { headers[name] = requestID }
        if let seconds = error.retryAfterSeconds { headers[.retryAfter] = String(max(seconds, 1)) }
        return Response(
            status: status(for: error.kind), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Turns thrown errors into JSON error responses, and logs the unexpected ones.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let (mapped, expected) = ErrorResponse.gantryError(for: error)
            if !expected || mapped.kind == .internalFailure {
                context.logger.error(
                    "request failed",
                    metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            }
            return ErrorResponse.response(for: mapped, requestID: context.id)
        }
    }
}
