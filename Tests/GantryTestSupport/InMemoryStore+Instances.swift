import Foundation
import GantryCore
import GantryPorts
import Synchronization

extension InMemoryStore {
    // MARK: Instances

    /// Builds the snapshot as FluentStore does, runs `decide` under the store's lock (the
    /// scheduler lock) and inserts what it returns; nothing is written when `decide` throws.
    /// - usage: the owner's holding instances and active sessions;
    /// - owner's names: the owner's instances that are not terminated (failed ones included);
    /// - allocated: holding instances and active sessions per node;
    /// - used ports: every port recorded on an instance, whatever its state, per node.
    /// `StoreError.notFound` without such a user; `StoreError.duplicate(field: "name")` when the
    /// owner has a live instance of that name, `"host_port"` when the node's port is taken.
    public func reserveInstance(
        ownerID: UUID, decide: @escaping @Sendable (ReservationSnapshot) throws -> Instance
    ) async throws -> Instance {
        try state.withLock { state in
            guard let owner = state.users[ownerID] else { throw StoreError.notFound }
            var usedPorts: [String: Set<Int>] = [:]
            for instance in state.instances.values {
                if let port = instance.hostPort { usedPorts[instance.node, default: []].insert(port) }
            }
            let snapshot = ReservationSnapshot(
                owner: owner, usage: state.usage(ownerID: ownerID),
                ownerInstanceNames: Set(
                    state.instances.values.filter { $0.ownerID == ownerID && $0.state != .terminated }.map(\.name)),
                nodes: state.nodes.values.sorted { $0.name < $1.name }, allocated: state.allocations(),
                usedPorts: usedPorts)
            let instance = try decide(snapshot)
            try state.insert(instance)
            return instance
        }
    }

    /// Picks a new port with `choose` from the ports recorded on the instance's node (its own
    /// included), and clears the container id. `StoreError.notFound` without such an instance.
    public func reassignPort(instanceID: UUID, choose: @escaping @Sendable (Set<Int>) -> Int?) async throws -> Int? {
        let now = clock.now
        return try state.withLock { state in
            guard var instance = state.instances[instanceID] else { throw StoreError.notFound }
            let used = Set(state.instances.values.filter { $0.node == instance.node }.compactMap(\.hostPort))
            guard let port = choose(used) else { return nil }
            instance.hostPort = port
            instance.containerID = nil
            instance.updatedAt = now
            try state.checkInstanceUnique(instance)
            state.instances[instanceID] = instance
            return port
        }
    }

    public func instance(id: UUID) async throws -> Instance? { state.withLock { $0.instances[id] } }

    /// Newest first, then by name.
    public func listInstances(ownerID: UUID?, skip: Int, limit: Int) async throws -> Page<Instance> {
        state.withLock { state in
            let matching = state.instances.values.filter { ownerID == nil || $0.ownerID == ownerID }
                .sorted { ($1.createdAt, $0.name) < ($0.createdAt, $1.name) }
            return Self.page(matching, skip: skip, limit: limit)
        }
    }

    /// Every instance not terminated, oldest first.
    public func liveInstances() async throws -> [Instance] {
        state.withLock { state in
            state.instances.values.filter { $0.state != .terminated }
                .sorted { ($0.createdAt, $0.id.uuidString) < ($1.createdAt, $1.id.uuidString) }
        }
    }

    public func usage(ownerID: UUID) async throws -> ResourceAmount {
        state.withLock { $0.usage(ownerID: ownerID) }
    }

    /// Compare-and-set: writes `instance` only when the stored one is in `expected`. A write that
    /// would break a uniqueness rule throws `StoreError.duplicate` (FluentStore's database would
    /// reject it).
    public func updateInstance(_ instance: Instance, ifStateIs expected: InstanceState) async throws -> Bool {
        try state.withLock { state in
            guard let stored = state.instances[instance.id], stored.state == expected else { return false }
            try state.checkInstanceUnique(instance)
            state.instances[instance.id] = instance
            return true
        }
    }

    /// Every state, zeros included.
    public func countInstancesByState() async throws -> [InstanceState: Int] {
        state.withLock { state in
            var counts = Dictionary(uniqueKeysWithValues: InstanceState.allCases.map { ($0, 0) })
            for instance in state.instances.values { counts[instance.state, default: 0] += 1 }
            return counts
        }
    }

    // MARK: Test set-up

    /// Puts an instance in as it is, in any state, under the same uniqueness rules as a
    /// reservation (no quota or capacity check): for tests that start from a given record.
    public func seed(_ instance: Instance) throws {
        try state.withLock { try $0.insert(instance) }
    }
}

extension InMemoryStore.State {
    mutating func insert(_ instance: Instance) throws {
        guard instances[instance.id] == nil else { throw StoreError.duplicate(field: "id") }
        try checkInstanceUnique(instance)
        instances[instance.id] = instance
    }

    /// The database's rules: one live (not terminated) instance per owner and name, and one
    /// instance per node and host port (instances without a port never collide).
    func checkInstanceUnique(_ instance: Instance) throws {
        let others = instances.values.filter { $0.id != instance.id }
        if instance.state != .terminated,
            others.contains(where: {
                $0.ownerID == instance.ownerID && $0.name == instance.name && $0.state != .terminated
            })
        {
            throw StoreError.duplicate(field: "name")
        }
        if let port = instance.hostPort, others.contains(where: { $0.node == instance.node && $0.hostPort == port }) {
            throw StoreError.duplicate(field: "host_port")
        }
    }
}
