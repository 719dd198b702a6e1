import FluentKit
import Foundation
import GantryCore

final class APIKeyModel: Model, @unchecked Sendable {
    static let schema = "api_keys"

    @ID(key: .id) var id: UUID?
    @Field(key: "owner_id") var ownerID: UUID
    @Field(key: "name") var name: String
    @Field(key: "prefix") var prefix: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?

    init() {}

    init(_ key: APIKey) {
        id = key.id
        ownerID = key.ownerID
        name = key.name
        prefix = key.prefix
        tokenHash = key.tokenHash
        createdAt = key.createdAt
        lastUsedAt = key.lastUsedAt
    }

    func domain() throws -> APIKey {
        guard let id else { throw StoreMappingError.missing("api_keys.id") }
        return APIKey(
            id: id, ownerID: ownerID, name: name, prefix: prefix, tokenHash: tokenHash, createdAt: createdAt,
            lastUsedAt: lastUsedAt)
    }
}
