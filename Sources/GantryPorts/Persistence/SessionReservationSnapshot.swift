import Foundation
import GantryCore

/// Everything a session decision needs, read inside the reservation transaction.
public struct SessionReservationSnapshot: Sendable {
    public var owner: User
    /// CPU, memory and GPUs held by the owner's instances and active sessions.
    public var usage: ResourceAmount
    public var ownerActiveSessionNames: Set<String>
    public var nodes: [Node]
    /// Per node, what instances and active sessions hold.
    public var allocated: [String: NodeCapacity]
    public var devices: [SchedulableGPUDevice]
    /// Device UUIDs held by active sessions.
    public var heldDevices: Set<String>
    /// The owner's POSIX uid, assigned on their first session and kept.
    public var posixUID: Int

    public init(
        owner: User, usage: ResourceAmount, ownerActiveSessionNames: Set<String>, nodes: [Node],
        allocated: [String: NodeCapacity], devices: [SchedulableGPUDevice], heldDevices: Set<String>, posixUID: Int
    ) {
        self.owner = owner
        self.usage = usage
        self.ownerActiveSessionNames = ownerActiveSessionNames
        self.nodes = nodes
        self.allocated = allocated
        self.devices = devices
        self.heldDevices = heldDevices
        self.posixUID = posixUID
    }
}
