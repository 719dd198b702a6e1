import Foundation
import GantryCore

public protocol UserStore: Sendable {
    func countUsers() async throws -> Int
    /// Throws `StoreError.duplicate` naming `email` or `username`.
    func createUser(_ user: User) async throws
    func updateUser(_ user: User) async throws
    func user(id: UUID) async throws -> User?
    func user(usernameOrEmail: String) async throws -> User?
    func listUsers(skip: Int, limit: Int) async throws -> Page<User>
}
