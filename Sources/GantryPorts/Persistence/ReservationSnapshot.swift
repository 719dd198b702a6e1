import Foundation
import GantryCore

/// Everything a launch decision needs, read inside the reservation transaction.
public struct ReservationSnapshot: Sendable {
    public var owner: User
    public var usage: ResourceAmount
    public var ownerInstanceNames: Set<String>
    public var nodes: [Node]
    public var allocated: [String: NodeCapacity]
    public var usedPorts: [String: Set<Int>]

    public init(
        owner: User, usage: ResourceAmount, ownerInstanceNames: Set<String>, nodes: [Node],
        allocated: [String: NodeCapacity], usedPorts: [String: Set<Int>]
    ) {
        self.owner = owner
        self.usage = usage
        self.ownerInstanceNames = ownerInstanceNames
        self.nodes = nodes
        self.allocated = allocated
        self.usedPorts = usedPorts
    }
}
