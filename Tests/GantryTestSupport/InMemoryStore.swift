import Foundation
import GantryCore
import GantryPorts
import Synchronization

/// The `Store` in memory: plain dictionaries behind one `Mutex`, so every method is one atomic
/// step, as each of FluentStore's transactions is. The semantics follow FluentStore's (see each
/// method); where they cannot (an SQL quirk, a database error type) the method says what it does
/// instead.
///
/// `clock` stands in for the few places where FluentStore reads `Date()` itself
/// (`reassignPort`'s and `extendSession`'s `updated_at`).
public final class InMemoryStore: Store, Sendable {
    let state = Mutex(State())
    let clock: WallClock

    public init(clock: WallClock = .system) {
        self.clock = clock
    }

    /// Every table, as rows keyed the way the database keys them.
    struct State {
        var users: [UUID: User] = [:]
        var apiKeys: [UUID: APIKey] = [:]
        var settings: [String: String] = [:]
        var images: [String: CatalogImage] = [:]
        var nodes: [String: Node] = [:]
        var instances: [UUID: Instance] = [:]
        var leases: [String: Lease] = [:]
        var sshKeys: [UUID: UserSSHKey] = [:]
        var gpuInventories: [String: StoredGPUInventory] = [:]
        var sessions: [UUID: GPUSession] = [:]
        /// `posix_accounts`: user id → uid.
        var posixUIDs: [UUID: Int] = [:]
        var plugins: [StoredPlugin] = []
        var jobs: [UUID: Job] = [:]
        var jobEvents: [JobEvent] = []
        var nextEventSequence: Int64 = 1
        var webSessions: [UUID: WebSession] = [:]
        /// What `ping` throws, when a test made the database "unavailable".
        var pingFailure: String?
    }

    struct Lease {
        var holder: String
        var expiresAt: Date
    }

    struct StoredPlugin {
        var plugin: Plugin
        var isCurrent: Bool
    }

    // MARK: Test controls

    /// Makes `ping` throw `StoreError.unavailable(message)`; nil makes it answer again.
    public func setPingFailure(_ message: String?) {
        state.withLock { $0.pingFailure = message }
    }

    public func ping() async throws {
        if let message = state.withLock({ $0.pingFailure }) { throw StoreError.unavailable(message) }
    }

    // MARK: Users

    public func countUsers() async throws -> Int { state.withLock { $0.users.count } }

    /// Email first, then username, as FluentStore checks them.
    public func createUser(_ user: User) async throws {
        try state.withLock { state in
            try state.checkUserUnique(user)
            guard state.users[user.id] == nil else { throw StoreError.duplicate(field: "id") }
            state.users[user.id] = user
        }
    }

    /// `StoreError.notFound` when no such user exists. FluentStore would let the database reject
    /// an email or username taken by another user; here that is `StoreError.duplicate`.
    public func updateUser(_ user: User) async throws {
        try state.withLock { state in
            guard state.users[user.id] != nil else { throw StoreError.notFound }
            try state.checkUserUnique(user)
            state.users[user.id] = user
        }
    }

    public func user(id: UUID) async throws -> User? { state.withLock { $0.users[id] } }

    /// An email when `login` contains `@`, a username otherwise; exact match.
    public func user(usernameOrEmail login: String) async throws -> User? {
        state.withLock { state in
            state.users.values.first { login.contains("@") ? $0.email == login : $0.username == login }
        }
    }

    /// By creation time, then username.
    public func listUsers(skip: Int, limit: Int) async throws -> Page<User> {
        state.withLock { state in
            let sorted = state.users.values.sorted { ($0.createdAt, $0.username) < ($1.createdAt, $1.username) }
            return Self.page(sorted, skip: skip, limit: limit)
        }
    }

    // MARK: API keys

    /// `token_hash` is unique; FluentStore leaves that to the database, here it is
    /// `StoreError.duplicate(field: "token_hash")`.
    public func createAPIKey(_ key: APIKey) async throws {
        try state.withLock { state in
            guard state.apiKeys[key.id] == nil else { throw StoreError.duplicate(field: "id") }
            guard !state.apiKeys.values.contains(where: { $0.tokenHash == key.tokenHash }) else {
                throw StoreError.duplicate(field: "token_hash")
            }
            state.apiKeys[key.id] = key
        }
    }

    public func apiKeys(ownerID: UUID) async throws -> [APIKey] {
        state.withLock { state in
            state.apiKeys.values.filter { $0.ownerID == ownerID }.sorted { $0.createdAt < $1.createdAt }
        }
    }

    public func apiKey(tokenHash: String) async throws -> APIKey? {
        state.withLock { state in state.apiKeys.values.first { $0.tokenHash == tokenHash } }
    }

    public func deleteAPIKey(id: UUID, ownerID: UUID) async throws -> Bool {
        state.withLock { state in
            guard let key = state.apiKeys[id], key.ownerID == ownerID else { return false }
            state.apiKeys[id] = nil
            return true
        }
    }

    // MARK: Settings

    public func setting(_ key: String) async throws -> String? { state.withLock { $0.settings[key] } }

    public func settingSetIfAbsent(_ key: String, value: String) async throws -> String {
        state.withLock { state in
            if let existing = state.settings[key] { return existing }
            state.settings[key] = value
            return value
        }
    }

    public func setSetting(_ key: String, value: String) async throws {
        state.withLock { $0.settings[key] = value }
    }

    // MARK: Leases

    /// Renews `holder`'s own lease or takes one that ran out before `now` (strictly), as
    /// FluentStore's conditional update does; a missing lease is created for `holder`.
    public func acquireLease(_ name: String, holder: String, duration: TimeInterval, now: Date) async throws -> Bool {
        state.withLock { state in
            let expires = now.addingTimeInterval(duration)
            if let lease = state.leases[name] {
                if lease.holder == holder || lease.expiresAt < now {
                    state.leases[name] = Lease(holder: holder, expiresAt: expires)
                }
            } else {
                state.leases[name] = Lease(holder: holder, expiresAt: expires)
            }
            return state.leases[name]?.holder == holder
        }
    }

    // MARK: Images

    public func listImages() async throws -> [CatalogImage] {
        state.withLock { state in state.images.values.sorted { $0.name < $1.name } }
    }

    public func image(name: String) async throws -> CatalogImage? { state.withLock { $0.images[name] } }

    public func createImage(_ image: CatalogImage) async throws {
        try state.withLock { state in
            guard state.images[image.name] == nil else { throw StoreError.duplicate(field: "name") }
            state.images[image.name] = image
        }
    }

    public func deleteImage(name: String) async throws -> Bool {
        state.withLock { state in state.images.removeValue(forKey: name) != nil }
    }

    // MARK: Nodes

    public func listNodes() async throws -> [Node] {
        state.withLock { state in state.nodes.values.sorted { $0.name < $1.name } }
    }

    public func node(name: String) async throws -> Node? { state.withLock { $0.nodes[name] } }

    /// An existing node of that name keeps its id; every other field is replaced.
    public func upsertNode(_ node: Node) async throws {
        state.withLock { state in
            var stored = node
            if let existing = state.nodes[node.name] { stored.id = existing.id }
            state.nodes[node.name] = stored
        }
    }

    public func allocations() async throws -> [String: NodeCapacity] {
        state.withLock { $0.allocations() }
    }

    // MARK: Helpers

    /// The window `skip..<skip+limit` of `items`, with the total.
    static func page<Item: Sendable>(_ items: [Item], skip: Int, limit: Int) -> Page<Item> {
        Page(total: items.count, items: Array(items.dropFirst(max(skip, 0)).prefix(max(limit, 0))))
    }
}

extension InMemoryStore.State {
    func checkUserUnique(_ user: User) throws {
        if users.values.contains(where: { $0.id != user.id && $0.email == user.email }) {
            throw StoreError.duplicate(field: "email")
        }
        if users.values.contains(where: { $0.id != user.id && $0.username == user.username }) {
            throw StoreError.duplicate(field: "username")
        }
    }

    /// Instances whose state holds resources (quota and node capacity).
    var holdingInstances: [Instance] { instances.values.filter { $0.state.holdsResources } }

    /// Sessions in `creating` or `running`, oldest first.
    var activeSessions: [GPUSession] {
        sessions.values.filter { $0.state.isActive }.sorted { ($0.createdAt, $0.name) < ($1.createdAt, $1.name) }
    }

    /// What holding instances and active sessions take, per node (FluentStore's `allocations`).
    func allocations() -> [String: NodeCapacity] {
        var result: [String: NodeCapacity] = [:]
        func add(_ node: String, _ resources: ResourceAmount) {
            var total = result[node] ?? .zero
            total.cpu += resources.cpu
            total.memoryMB += resources.memoryMB
            total.gpus += resources.gpus
            result[node] = total
        }
        for instance in holdingInstances { add(instance.node, instance.resources) }
        for session in activeSessions { add(session.node, session.resources) }
        return result
    }

    /// What one owner's holding instances and active sessions take.
    func usage(ownerID: UUID) -> ResourceAmount {
        let instances = holdingInstances.filter { $0.ownerID == ownerID }.map(\.resources)
        let sessions = activeSessions.filter { $0.ownerID == ownerID }.map(\.resources)
        return (instances + sessions).reduce(.zero, +)
    }
}
