import Foundation
import GantryCore
import GantryOpenAPI
import HTTPTypes
import OpenAPIRuntime

/// Numbers in free-form JSON (job inputs and results, plugin schemas) cross the generated client
/// exactly. The generated types hold them as `Int` or `Double`, which would turn
/// `99999999999999999999999` into `1e+23` and `1.0` into `1`; so, with the command's
/// `NumberLiterals` (bound by `GantryAPIClient.withSession`), every such number travels as a
/// placeholder string: a request body gets the literals written back in before it is sent, a JSON
/// response has its unusual numbers replaced by placeholders before the generated decoder reads it,
/// and `JSONOutput` writes the literals back into what it prints.
struct NumberLiteralClientMiddleware: ClientMiddleware {
    /// The largest body rewritten in either direction (a page of jobs with their payloads fits).
    static let maxBodyBytes = 256 << 20

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let literals = NumberLiterals.current else { return try await next(request, body, baseURL) }
        var body = body
        if let sent = body, !literals.isEmpty {
            let bytes = try await [UInt8](collecting: sent, upTo: Self.maxBodyBytes)
            body = HTTPBody(literals.splice(into: bytes))
        }
        let (response, received) = try await next(request, body, baseURL)
        guard let received, response.headerFields[.contentType]?.lowercased().contains("json") == true else {
            return (response, received)
        }
        let bytes = try await [UInt8](collecting: received, upTo: Self.maxBodyBytes)
        guard let document = try? JSONValue(parsing: bytes),
            let readable = document.replacingNumbers({
                $0.survivesTheGeneratedDecoder ? nil : .string(literals.placeholder(for: $0))
            })
        else {
            return (response, HTTPBody(bytes))
        }
        return (response, HTTPBody(readable.serializedBytes()))
    }
}

extension JSONNumber {
    /// Whether the generated decoder reads this number back as written: it reads a whole number
    /// as an `Int` (so `-0` or `1.0` would become `0` or `1`) and any other as a `Double`. The
    /// server writes its typed fields with `JSONEncoder`, so only free-form JSON holds numbers
    /// that are not.
    fileprivate var survivesTheGeneratedDecoder: Bool {
        isPlainInt || (!isIntegral && isEncoderSpelling)
    }
}
