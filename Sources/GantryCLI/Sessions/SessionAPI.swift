import Foundation
import GantryOpenAPI

/// The session calls several `sessions` commands share, each reduced to its success value.
extension GantryAPIClient {
    func listSessions(
        skip: Int = 0, limit: Int, status: Components.Schemas.SessionStatus? = nil, user: String? = nil
    ) async throws -> Components.Schemas.SessionList {
        let query = Operations.ListSessions.Input.Query(skip: skip, limit: limit, status: status, userId: user)
        switch try await client.listSessions(query: query) {
        case .ok(let ok): return try ok.body.json
        default: throw CLIError.unexpectedResponse(Operations.ListSessions.id)
        }
    }

    /// One session by ID, or by name for the caller's own sessions (the server resolves those).
    func session(_ idOrName: String) async throws -> Components.Schemas.Session {
        switch try await client.getSession(path: .init(id: idOrName)) {
        case .ok(let ok): return try ok.body.json
        default: throw CLIError.unexpectedResponse(Operations.GetSession.id)
        }
    }

    /// What to put in the path for a typed ID, ID prefix or name. Only a non-UUID costs a list call (500 is the
    /// page maximum); a name the list does not settle is passed on for the server to resolve.
    func sessionPathID(for reference: String) async throws -> String {
        if let id = FullUUID.normalized(reference) { return id }
        let sessions = try await listSessions(limit: AllPages.pageSize).items
        return try SessionReference.resolve(reference, among: sessions)
            ?? reference.trimmingCharacters(in: .whitespaces)
    }
}
