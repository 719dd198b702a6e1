import Foundation
import GantryCore

/// A page of a list: `total` counts every match, `items` holds the requested window.
public struct Page<Item: Sendable>: Sendable {
    public var total: Int
    public var items: [Item]

    public init(total: Int, items: [Item]) {
        self.total = total
        self.items = items
    }
}

public enum StoreError: Error, Sendable, Equatable {
    /// A uniqueness constraint rejected the write; `field` names what collided.
    case duplicate(field: String)
    case notFound
    /// The database could not be reached or answered with an error.
    case unavailable(String)
}

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

public protocol UserStore: Sendable {
    func countUsers() async throws -> Int
    /// Throws `StoreError.duplicate` naming `email` or `username`.
    func createUser(_ user: User) async throws
    func updateUser(_ user: User) async throws
    func user(id: UUID) async throws -> User?
    func user(usernameOrEmail: String) async throws -> User?
    func listUsers(skip: Int, limit: Int) async throws -> Page<User>
}

public protocol APIKeyStore: Sendable {
    func createAPIKey(_ key: APIKey) async throws
    func apiKeys(ownerID: UUID) async throws -> [APIKey]
    func apiKey(tokenHash: String) async throws -> APIKey?
    /// Returns false when no key with that id belongs to the owner.
    func deleteAPIKey(id: UUID, ownerID: UUID) async throws -> Bool
}

public protocol SettingsStore: Sendable {
    func setting(_ key: String) async throws -> String?
    /// Stores `value` unless the key already has one; returns the value now stored. Replicas that
    /// race on first start therefore agree on one value.
    func settingSetIfAbsent(_ key: String, value: String) async throws -> String
    func setSetting(_ key: String, value: String) async throws
}

public protocol ImageStore: Sendable {
    func listImages() async throws -> [CatalogImage]
    func image(name: String) async throws -> CatalogImage?
    /// Throws `StoreError.duplicate(field: "name")`.
    func createImage(_ image: CatalogImage) async throws
    func deleteImage(name: String) async throws -> Bool
}

public protocol NodeStore: Sendable {
    func listNodes() async throws -> [Node]
    func node(name: String) async throws -> Node?
    /// Inserts the node or updates the one with the same name.
    func upsertNode(_ node: Node) async throws
    /// CPU, memory and GPUs held by instances and active sessions on each node.
    func allocations() async throws -> [String: NodeCapacity]
}

public protocol InstanceStore: Sendable {
    /// Runs `decide` on a consistent snapshot while holding the scheduler lock, then inserts the
    /// instance it returns. Concurrent reservations are serialised, so quota and capacity checks
    /// made in `decide` hold when the row is written.
    func reserveInstance(
        ownerID: UUID, decide: @escaping @Sendable (ReservationSnapshot) throws -> Instance
    ) async throws -> Instance
    /// Gives the instance a new host port chosen by `choose` from the ports in use on its node.
    func reassignPort(instanceID: UUID, choose: @escaping @Sendable (Set<Int>) -> Int?) async throws -> Int?
    func instance(id: UUID) async throws -> Instance?
    func listInstances(ownerID: UUID?, skip: Int, limit: Int) async throws -> Page<Instance>
    /// Instances whose state is not `terminated`: the reconciler's work list.
    func liveInstances() async throws -> [Instance]
    func usage(ownerID: UUID) async throws -> ResourceAmount
    /// Writes `instance` only if the stored state is still `expected`; false when it changed.
    func updateInstance(_ instance: Instance, ifStateIs expected: InstanceState) async throws -> Bool
    func countInstancesByState() async throws -> [InstanceState: Int]
}

public protocol WebSessionStore: Sendable {
    func createWebSession(_ session: WebSession) async throws
    func webSession(tokenHash: String) async throws -> WebSession?
    func extendWebSession(id: UUID, lastSeenAt: Date, expiresAt: Date) async throws
    func deleteWebSession(tokenHash: String) async throws
    func deleteWebSessions(userID: UUID) async throws
    /// Removes sessions past their expiry; returns how many.
    func deleteExpiredWebSessions(now: Date) async throws -> Int
}

public protocol LeaseStore: Sendable {
    /// Takes or renews the named lease for `holder` until `now + duration`; true when `holder`
    /// holds it afterwards. Replicas sharing a database use it so one of them runs each loop.
    func acquireLease(_ name: String, holder: String, duration: TimeInterval, now: Date) async throws -> Bool
}

/// The persistence adapter: one implementation, on FluentKit, for SQLite and PostgreSQL.
public protocol Store:
    UserStore, APIKeyStore, SettingsStore, ImageStore, NodeStore, InstanceStore, LeaseStore, SSHKeyStore,
    GPUInventoryStore, SessionStore, PluginStore, JobStore, WebSessionStore
{
    /// Runs a trivial query; throws when the database does not answer.
    func ping() async throws
}
