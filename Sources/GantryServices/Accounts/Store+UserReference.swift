import Foundation
import GantryCore
import GantryPorts

extension UserStore {
    /// A user by id, or by username (seeds' `user_id`); nil for an email or an unknown user.
    public func user(reference: String) async throws -> User? {
        if let id = UUID(uuidString: reference) { return try await user(id: id) }
        guard !reference.contains("@") else { return nil }
        return try await user(usernameOrEmail: reference)
    }
}
