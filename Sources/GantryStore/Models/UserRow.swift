import Foundation
import GantryCore

/// The mapping of a `users` row for reads by id: every authenticated request looks its user up,
/// so this is kept off Fluent's reflection-based model decoding.
enum UserRow {
    static let columns = [
        "id", "email", "username", "full_name", "role", "is_active", "password_hash", "quota_instances", "quota_cpu",
        "quota_memory_mb", "quota_gpus", "created_at",
    ]

    static func decode(_ row: any RowReader) throws -> User {
        User(
            id: try row.uuid("id"), email: try row.string("email"), username: try row.string("username"),
            fullName: try row.string("full_name"), role: try role(try row.string("role")),
            isActive: try row.bool("is_active"), passwordHash: try row.string("password_hash"),
            quotaOverride: QuotaOverride(
                instances: try row.optionalInt("quota_instances"), cpu: try row.optionalDouble("quota_cpu"),
                memoryMB: try row.optionalInt("quota_memory_mb"), gpus: try row.optionalInt("quota_gpus")),
            createdAt: try row.date("created_at"))
    }

    /// An unknown role is an error: guessing one could hand out or take away admin rights.
    static func role(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text) else { throw StoreMappingError.invalid("users.role", text) }
        return role
    }
}
