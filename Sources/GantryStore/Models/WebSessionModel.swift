import FluentKit
import Foundation
import GantryCore

final class WebSessionModel: Model, @unchecked Sendable {
    static let schema = "web_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date

    init() {}

    init(_ session: WebSession) {
        id = session.id
        userID = session.userID
        tokenHash = session.tokenHash
        createdAt = session.createdAt
        expiresAt = session.expiresAt
        lastSeenAt = session.lastSeenAt
    }

    func domain() throws -> WebSession {
        guard let id else { throw StoreMappingError.missing("web_sessions.id") }
        return WebSession(
            id: id, userID: userID, tokenHash: tokenHash, createdAt: createdAt, expiresAt: expiresAt,
            lastSeenAt: lastSeenAt)
    }
}
