import Foundation
import GantryOpenAPI

/// User calls shared by the `users` and `quota` commands.
extension GantryAPIClient {
    func user(id: String) async throws -> Components.Schemas.User {
        switch try await client.getUser(path: .init(id: id)) {
        case .ok(let ok): return try ok.body.json
        default: throw CLIError.unexpectedResponse(Operations.GetUser.id)
        }
    }

    func currentUser() async throws -> Components.Schemas.User {
        switch try await client.getCurrentUser() {
        case .ok(let ok): return try ok.body.json
        default: throw CLIError.unexpectedResponse(Operations.GetCurrentUser.id)
        }
    }

    func updateUser(id: String, _ update: Components.Schemas.UserUpdate) async throws -> Components.Schemas.User {
        switch try await client.updateUser(path: .init(id: id), body: .json(update)) {
        case .ok(let ok): return try ok.body.json
        default: throw CLIError.unexpectedResponse(Operations.UpdateUser.id)
        }
    }

    /// The ID behind a UUID, username or email. Names need the (admin-only) user list; 500 is its page maximum.
    func userID(for reference: String) async throws -> String {
        if let id = FullUUID.normalized(reference) { return id }
        let users: [Components.Schemas.User]
        switch try await client.listUsers(query: .init(limit: 500)) {
        case .ok(let ok): users = try ok.body.json.items
        default: throw CLIError.unexpectedResponse(Operations.ListUsers.id)
        }
        return try UserReference.resolve(reference, among: users.map { ($0.id, $0.username, $0.email) })
    }
}

/// Matching a typed username or email to a user, kept pure for tests.
enum UserReference {
    typealias Candidate = (id: String, username: String, email: String)

    static func resolve(_ reference: String, among users: [Candidate]) throws -> String {
        let reference = reference.trimmingCharacters(in: .whitespaces)
        if let id = FullUUID.normalized(reference) { return id }
        // Usernames are lowercase by contract and emails compare case-insensitively in practice.
        let lowered = reference.lowercased()
        let matches = users.filter { $0.username == reference || $0.email.lowercased() == lowered }
        guard let match = matches.first else { throw CLIError.notFound("no user \"\(reference)\"") }
        guard matches.count == 1 else {
            throw CLIError.ambiguous("\"\(reference)\" matches \(matches.count) users; use an ID")
        }
        return match.id
    }
}
