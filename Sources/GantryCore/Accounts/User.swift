import Foundation

public enum Role: String, Sendable, Codable, CaseIterable {
    case admin
    case user
}

public struct User: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var email: String
    public var username: String
    public var fullName: String
    public var role: Role
    public var isActive: Bool
    public var passwordHash: String
    /// Per-user overrides; `nil` fields fall back to the installation's default quota.
    public var quotaOverride: QuotaOverride
    public var createdAt: Date

    public init(
        id: UUID = UUID(), email: String, username: String, fullName: String, role: Role,
        isActive: Bool = true, passwordHash: String, quotaOverride: QuotaOverride = .init(),
        createdAt: Date = Date()
    ) {
        self.id = id
        self.email = email
        self.username = username
        self.fullName = fullName
        self.role = role
        self.isActive = isActive
        self.passwordHash = passwordHash
        self.quotaOverride = quotaOverride
        self.createdAt = createdAt
    }

    public var isAdmin: Bool { role == .admin }
}

public struct APIKey: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var ownerID: UUID
    public var name: String
    /// The first characters of the token, shown in listings so a person can tell keys apart.
    public var prefix: String
    /// SHA-256 of the whole token, hex; the token itself is never stored.
    public var tokenHash: String
    public var createdAt: Date
    public var lastUsedAt: Date?

    public init(
        id: UUID = UUID(), ownerID: UUID, name: String, prefix: String, tokenHash: String,
        createdAt: Date = Date(), lastUsedAt: Date? = nil
    ) {
        self.id = id
        self.ownerID = ownerID
        self.name = name
        self.prefix = prefix
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}
