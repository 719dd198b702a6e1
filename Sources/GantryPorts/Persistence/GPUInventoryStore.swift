import Foundation
import GantryCore

public protocol GPUInventoryStore: Sendable {
    func saveGPUInventory(_ inventory: StoredGPUInventory) async throws
    func gpuInventories() async throws -> [StoredGPUInventory]
}
