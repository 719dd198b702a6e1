import Foundation
import GantryCore

/// A node's GPU inventory as last read, with when.
public struct StoredGPUInventory: Sendable, Equatable {
    public var node: String
    public var inventory: GPUInventory
    public var refreshedAt: Date

    public init(node: String, inventory: GPUInventory, refreshedAt: Date) {
        self.node = node
        self.inventory = inventory
        self.refreshedAt = refreshedAt
    }
}
