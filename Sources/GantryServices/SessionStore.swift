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

public protocol SSHKeyStore: Sendable {
    /// Throws `StoreError.duplicate(field: "fingerprint")` when the owner already has the key.
    func createSSHKey(_ key: UserSSHKey) async throws
    func sshKeys(ownerID: UUID) async throws -> [UserSSHKey]
    func sshKey(ownerID: UUID, fingerprint: String) async throws -> UserSSHKey?
    func deleteSSHKey(id: UUID, ownerID: UUID) async throws -> Bool
    func markSSHKeyUsed(id: UUID, at: Date) async throws
}

public protocol GPUInventoryStore: Sendable {
    func saveGPUInventory(_ inventory: StoredGPUInventory) async throws
    func gpuInventories() async throws -> [StoredGPUInventory]
}

public protocol SessionStore: Sendable {
    /// Runs `decide` on a consistent snapshot under the scheduler lock (shared with instance
    /// launches, so quota and devices are never double-booked), then inserts the session.
    /// `firstPosixUID` is where uids start when the owner has none yet.
    func reserveSession(
        ownerID: UUID, firstPosixUID: Int, decide: @escaping @Sendable (SessionReservationSnapshot) throws -> GPUSession
    ) async throws -> GPUSession
    func session(id: UUID) async throws -> GPUSession?
    /// The owner's active session with that name, else their newest with it.
    func session(ownerID: UUID, name: String) async throws -> GPUSession?
    func listSessions(ownerID: UUID?, state: SessionState?, skip: Int, limit: Int) async throws -> Page<GPUSession>
    /// Sessions in `creating` or `running`.
    func activeSessions() async throws -> [GPUSession]
    /// Writes `session` only if the stored state is still `expected`; false when it changed.
    func updateSession(_ session: GPUSession, ifStateIs expected: SessionState) async throws -> Bool
    /// Moves a running session's `expires_at` to at least `until`; returns the stored value.
    func extendSession(id: UUID, atLeast until: Date) async throws -> Date?
    func countSessionsByState() async throws -> [SessionState: Int]
}

extension SessionStore {
    /// Every matching session, read a page at a time.
    public func allSessions(ownerID: UUID?, state: SessionState?) async throws -> [GPUSession] {
        var result: [GPUSession] = []
        while true {
            let page = try await listSessions(ownerID: ownerID, state: state, skip: result.count, limit: 500)
            result += page.items
            if page.items.isEmpty || result.count >= page.total { return result }
        }
    }
}
