import FluentKit
import Foundation
import GantryCore

final class GPUInventoryModel: Model, @unchecked Sendable {
    static let schema = "gpu_inventories"

    @ID(custom: "node", generatedBy: .user) var id: String?
    @Field(key: "inventory_json") var inventoryJSON: String
    @Field(key: "refreshed_at") var refreshedAt: Date

    init() {}

    init(node: String, inventoryJSON: String, refreshedAt: Date) {
        id = node
        self.inventoryJSON = inventoryJSON
        self.refreshedAt = refreshedAt
    }
}

final class PosixAccountModel: Model, @unchecked Sendable {
    static let schema = "posix_accounts"

    @ID(custom: "user_id", generatedBy: .user) var id: UUID?
    @Field(key: "uid") var uid: Int

    init() {}

    init(userID: UUID, uid: Int) {
        id = userID
        self.uid = uid
    }
}
