import Foundation
import GantryCore

public protocol SessionStore: Sendable {
    /// Runs `decide` on a consistent snapshot under the scheduler lock (shared with instance
    /// launches, so quota and devices are never double-booked), then inserts the session.
    /// `firstPosixUID` is where uids start when the owner has none yet.
    func reserveSession(
        ownerID: UUID, firstPosixUID: Int, decide: @escaping @Sendable (SessionReservationSnapshot) throws -> GPUSession
    ) async throws -> GPUSession
    func session(id: UUID) async throws -> GPUSession?
    /// The owner's active session with that name, else their newest with it.
    func session(ownerID: UUID, name: String) async throws -> GPUSession?
    func listSessions(ownerID: UUID?, state: SessionState?, skip: Int, limit: Int) async throws -> Page<GPUSession>
    /// Sessions in `creating` or `running`.
    func activeSessions() async throws -> [GPUSession]
    /// Writes `session` only if the stored state is still `expected`; false when it changed.
    func updateSession(_ session: GPUSession, ifStateIs expected: SessionState) async throws -> Bool
    /// Moves a running session's `expires_at` to at least `until`; returns the stored value.
    func extendSession(id: UUID, atLeast until: Date) async throws -> Date?
    func countSessionsByState() async throws -> [SessionState: Int]
}

extension SessionStore {
    /// Every matching session, read a page at a time.
    public func allSessions(ownerID: UUID?, state: SessionState?) async throws -> [GPUSession] {
        var result: [GPUSession] = []
        while true {
            let page = try await listSessions(ownerID: ownerID, state: state, skip: result.count, limit: 500)
            result += page.items
            if page.items.isEmpty || result.count >= page.total { return result }
        }
    }
}
