import Foundation
import GantryCore

public protocol NodeStore: Sendable {
    func listNodes() async throws -> [Node]
    func node(name: String) async throws -> Node?
    /// Inserts the node or updates the one with the same name.
    func upsertNode(_ node: Node) async throws
    /// CPU, memory and GPUs held by instances and active sessions on each node.
    func allocations() async throws -> [String: NodeCapacity]
}
