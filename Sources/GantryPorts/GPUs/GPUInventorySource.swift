import Foundation
import GantryCore

/// Reads the GPUs of the host Gantry runs on. Implemented by the `NvidiaSMI` adapter.
public protocol GPUInventorySource: Sendable {
    /// The current inventory; `.empty` when the host has no GPU or no `nvidia-smi`.
    func readInventory() async throws -> GPUInventory
}
