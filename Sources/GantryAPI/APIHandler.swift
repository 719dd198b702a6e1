import Foundation
import GantryCore
import GantryEdge
import GantryOpenAPI
import GantryServices
import OpenAPIRuntime

/// Implements the generated `APIProtocol`: decode, authenticate, call a service, encode. No
/// business rules live here.
public struct APIHandler: APIProtocol {
    let services: EdgeServices

    public init(services: EdgeServices) { self.services = services }

    /// Compact JSON with sorted keys (without them Foundation's key order changes from one process
    /// to the next) and a fast date encoder: listings are the hot path.
    public static let serverConfiguration = Configuration(
        dateTranscoder: InternetDateTranscoder(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])

    /// The caller, verified on every request so deactivation takes effect at once.
    func principal() async throws -> Principal {
        guard let credential = RequestCredentials.current else {
            throw GantryError(
                .unauthorized, code: "not_authenticated",
                detail: "send Authorization: Bearer <token> or X-API-Key: <key>")
        }
        return try await services.users.authenticate(credential: credential)
    }

    /// The caller when credentials were sent, nil when none were.
    func optionalPrincipal() async throws -> Principal? {
        guard RequestCredentials.current != nil else { return nil }
        return try await principal()
    }

    func uuid(_ text: String, _ what: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw GantryError.notFound(what) }
        return id
    }
}
