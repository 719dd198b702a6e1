import FluentKit
import Foundation
import GantryCore

final class SSHKeyModel: Model, @unchecked Sendable {
    static let schema = "ssh_keys"

    @ID(key: .id) var id: UUID?
    @Field(key: "owner_id") var ownerID: UUID
    @Field(key: "name") var name: String
    @Field(key: "key_type") var keyType: String
    @Field(key: "public_key") var publicKey: String
    @Field(key: "fingerprint") var fingerprint: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?

    init() {}

    init(_ key: UserSSHKey) {
        id = key.id
        ownerID = key.ownerID
        name = key.name
        keyType = key.type
        publicKey = key.publicKey
        fingerprint = key.fingerprint
        createdAt = key.createdAt
        lastUsedAt = key.lastUsedAt
    }

    func domain() throws -> UserSSHKey {
        guard let id else { throw StoreMappingError.missing("ssh_keys.id") }
        return UserSSHKey(
            id: id, ownerID: ownerID, name: name, type: keyType, publicKey: publicKey, fingerprint: fingerprint,
            createdAt: createdAt, lastUsedAt: lastUsedAt)
    }
}
