import FluentKit
import Foundation
import GantryCore
import GantryPorts

extension FluentStore {
    public func createWebSession(_ session: WebSession) async throws {
        try await WebSessionModel(session).create(on: db)
    }

    public func webSession(tokenHash: String) async throws -> WebSession? {
        try await WebSessionModel.query(on: db).filter(\.$tokenHash == tokenHash).first()?.domain()
    }

    public func extendWebSession(id: UUID, lastSeenAt: Date, expiresAt: Date) async throws {
        try await WebSessionModel.query(on: db).filter(\.$id == id)
            .set(\.$lastSeenAt, to: lastSeenAt).set(\.$expiresAt, to: expiresAt).update()
    }

    public func deleteWebSession(tokenHash: String) async throws {
        try await WebSessionModel.query(on: db).filter(\.$tokenHash == tokenHash).delete()
    }

    public func deleteWebSessions(userID: UUID) async throws {
        try await WebSessionModel.query(on: db).filter(\.$userID == userID).delete()
    }

    public func deleteExpiredWebSessions(now: Date) async throws -> Int {
        let expired = try await WebSessionModel.query(on: db).filter(\.$expiresAt <= now).count()
        if expired > 0 { try await WebSessionModel.query(on: db).filter(\.$expiresAt <= now).delete() }
        return expired
    }
}
