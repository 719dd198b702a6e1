import Foundation
import GantryCore

/// The authenticated caller of a use case.
public struct Principal: Sendable, Equatable {
    public var user: User

    public init(user: User) { self.user = user }

    public var id: UUID { user.id }
    public var isAdmin: Bool { user.isAdmin }

    public func requireAdmin() throws(GantryError) {
        guard isAdmin else { throw GantryError.forbidden("this action needs the admin role") }
    }

    /// Users see only their own resources; admins see all. Others get 404 so ids don't leak.
    public func canAccess(ownerID: UUID) -> Bool { isAdmin || ownerID == user.id }
}
