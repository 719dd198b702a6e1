import Foundation

/// A signed-in dashboard session. The browser holds the token in an HttpOnly cookie; only its
/// SHA-256 is stored, so a database dump cannot be replayed as cookies.
public struct WebSession: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var userID: UUID
    public var tokenHash: String
    public var createdAt: Date
    public var expiresAt: Date
    public var lastSeenAt: Date

    public init(
        id: UUID = UUID(), userID: UUID, tokenHash: String, createdAt: Date = Date(), expiresAt: Date,
        lastSeenAt: Date = Date()
    ) {
        self.id = id
        self.userID = userID
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt
    }

    public func isExpired(at now: Date) -> Bool { expiresAt <= now }
}
