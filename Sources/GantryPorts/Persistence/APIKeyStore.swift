import Foundation
import GantryCore

public protocol APIKeyStore: Sendable {
    func createAPIKey(_ key: APIKey) async throws
    func apiKeys(ownerID: UUID) async throws -> [APIKey]
    func apiKey(tokenHash: String) async throws -> APIKey?
    /// Returns false when no key with that id belongs to the owner.
    func deleteAPIKey(id: UUID, ownerID: UUID) async throws -> Bool
}
