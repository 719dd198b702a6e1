import Foundation
import HTTPTypes
import Hummingbird

/// The credential a request carried (bearer token or API key), unverified. Set by
/// `CredentialsMiddleware` for the OpenAPI handlers, which cannot see the Hummingbird request.
public struct RequestCredentials: Sendable {
    @TaskLocal public static var current: String?

    static let apiKeyHeader = HTTPField.Name("X-API-Key")

    /// `X-API-Key` wins over `Authorization: Bearer`, as it is the more specific header.
    static func extract(from fields: HTTPFields) -> String? {
        if let apiKeyHeader, let key = fields[apiKeyHeader]?.trimmingCharacters(in: .whitespaces), !key.isEmpty {
            return key
        }
        guard let authorization = fields[.authorization] else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

public struct CredentialsMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        try await RequestCredentials.$current.withValue(RequestCredentials.extract(from: request.headers)) {
            try await next(request, context)
        }
    }
}
