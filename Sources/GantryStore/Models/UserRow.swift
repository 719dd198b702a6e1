import Foundation
import GantryCore
import SQLKit

/// Reads user rows through SQLKit: every authenticated request looks its user up, so this is
/// kept off Fluent's reflection-based model decoding.
enum UserRow {
    static let columns = [
        "id", "email", "username", "full_name", "role", "is_active", "password_hash", "quota_instances", "quota_cpu",
        "quota_memory_mb", "quota_gpus", "created_at",
    ]

    static func decode(_ row: any SQLRow) throws -> User {
        User(
            id: try row.decode(column: "id", as: UUID.self),
            email: try row.decode(column: "email", as: String.self),
            username: try row.decode(column: "username", as: String.self),
            fullName: try row.decode(column: "full_name", as: String.self),
            role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .user,
            isActive: try row.decode(column: "is_active", as: Bool.self),
            passwordHash: try row.decode(column: "password_hash", as: String.self),
            quotaOverride: QuotaOverride(
                instances: try row.decode(column: "quota_instances", as: Int?.self),
                cpu: try row.decode(column: "quota_cpu", as: Double?.self),
                memoryMB: try row.decode(column: "quota_memory_mb", as: Int?.self),
                gpus: try row.decode(column: "quota_gpus", as: Int?.self)),
            createdAt: try row.decode(column: "created_at", as: Date.self))
    }
}
