import FluentKit
import Foundation
import GantryCore

final class UserModel: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "username") var username: String
    @Field(key: "full_name") var fullName: String
    @Field(key: "role") var role: String
    @Field(key: "is_active") var isActive: Bool
    @Field(key: "password_hash") var passwordHash: String
    @OptionalField(key: "quota_instances") var quotaInstances: Int?
    @OptionalField(key: "quota_cpu") var quotaCPU: Double?
    @OptionalField(key: "quota_memory_mb") var quotaMemoryMB: Int?
    @OptionalField(key: "quota_gpus") var quotaGPUs: Int?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(_ user: User) { apply(user) }

    func apply(_ user: User) {
        id = user.id
        email = user.email
        username = user.username
        fullName = user.fullName
        role = user.role.rawValue
        isActive = user.isActive
        passwordHash = user.passwordHash
        quotaInstances = user.quotaOverride.instances
        quotaCPU = user.quotaOverride.cpu
        quotaMemoryMB = user.quotaOverride.memoryMB
        quotaGPUs = user.quotaOverride.gpus
        createdAt = user.createdAt
        updatedAt = Date()
    }

    func domain() throws -> User {
        guard let id else { throw StoreMappingError.missing("users.id") }
        return User(
            id: id, email: email, username: username, fullName: fullName, role: try UserRow.role(role),
            isActive: isActive, passwordHash: passwordHash,
            quotaOverride: QuotaOverride(
                instances: quotaInstances, cpu: quotaCPU, memoryMB: quotaMemoryMB, gpus: quotaGPUs),
            createdAt: createdAt)
    }
}
