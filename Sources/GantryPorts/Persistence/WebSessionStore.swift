import Foundation
import GantryCore

public protocol WebSessionStore: Sendable {
    func createWebSession(_ session: WebSession) async throws
    func webSession(tokenHash: String) async throws -> WebSession?
    func extendWebSession(id: UUID, lastSeenAt: Date, expiresAt: Date) async throws
    func deleteWebSession(tokenHash: String) async throws
    func deleteWebSessions(userID: UUID) async throws
    /// Removes sessions past their expiry; returns how many.
    func deleteExpiredWebSessions(now: Date) async throws -> Int
}
