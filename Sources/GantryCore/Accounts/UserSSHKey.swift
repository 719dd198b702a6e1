import Foundation

/// A public key registered to a user; the SSH gateway admits it as that user only.
public struct UserSSHKey: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var ownerID: UUID
    public var name: String
    public var type: String
    /// `type base64` without a comment.
    public var publicKey: String
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    public var fingerprint: String
    public var createdAt: Date
    public var lastUsedAt: Date?

    public init(
        id: UUID = UUID(), ownerID: UUID, name: String, type: String, publicKey: String, fingerprint: String,
        createdAt: Date = Date(), lastUsedAt: Date? = nil
    ) {
        self.id = id
        self.ownerID = ownerID
        self.name = name
        self.type = type
        self.publicKey = publicKey
        self.fingerprint = fingerprint
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}
