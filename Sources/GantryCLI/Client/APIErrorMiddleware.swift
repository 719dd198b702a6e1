import Foundation
import GantryOpenAPI
import HTTPTypes
import OpenAPIRuntime

/// Turns every non-2xx response into a thrown `CLIError.api`, so command code only ever handles the
/// documented success case of each operation.
struct APIErrorMiddleware: ClientMiddleware {
    /// Error bodies are small JSON objects; anything bigger is not one and is not worth buffering.
    static let maxErrorBodyBytes = 1024 * 1024

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, body, baseURL)
        guard response.status.kind != .successful else { return (response, responseBody) }
        var bytes: [UInt8] = []
        if let responseBody {
            // A body over the limit still yields an error, just without its detail.
            bytes = (try? await [UInt8](collecting: responseBody, upTo: Self.maxErrorBodyBytes)) ?? []
        }
        throw CLIError.api(
            Self.failure(status: response.status.code, reasonPhrase: response.status.reasonPhrase, body: Data(bytes)))
    }

    /// Decodes the contract's error body; falls back to the status line (and any short text body) when a
    /// proxy or a crashed server answered instead of Gantry.
    static func failure(status: Int, reasonPhrase: String, body: Data) -> CLIError.APIFailure {
        if let decoded = try? JSONDecoder().decode(Components.Schemas._Error.self, from: body) {
            return CLIError.APIFailure(
                status: status,
                code: decoded.error,
                detail: decoded.detail,
                resource: decoded.resource,
                nodes: (decoded.nodes ?? []).map { .init(node: $0.node, reasons: $0.reasons) }
            )
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let phrase = reasonPhrase.isEmpty ? "HTTP \(status)" : "HTTP \(status) \(reasonPhrase)"
        let detail = text.isEmpty || text.count > 200 ? phrase : "\(phrase): \(text)"
        return CLIError.APIFailure(status: status, code: "http_\(status)", detail: detail, resource: nil, nodes: [])
    }
}
