import Foundation
import GantryCore
import GantryPorts
import Logging

/// Launch, list, stop, start, terminate and read logs of instances. Writes desired state to the
/// database and pokes the reconciler, which does the work against the engine.
public struct InstanceService: Sendable {
    let store: any InstanceStore & ImageStore & NodeStore
    let runtimes: any ContainerRuntimeDirectory
    let settings: InstanceSettings
    let trigger: ReconcileTrigger
    let clock: WallClock
    let logger: Logger

    public init(
        store: any InstanceStore & ImageStore & NodeStore, runtimes: any ContainerRuntimeDirectory,
        settings: InstanceSettings,
        trigger: ReconcileTrigger, clock: WallClock = .system, logger: Logger
    ) {
        self.store = store
        self.runtimes = runtimes
        self.settings = settings
        self.trigger = trigger
        self.clock = clock
        self.logger = logger
    }

    public func launch(_ request: LaunchRequest, by caller: Principal) async throws -> Instance {
        try request.validate()
        guard let image = try await store.image(name: request.image) else {
            // Like a job naming a plugin that does not exist: what it refers to is not there.
            throw GantryError(
                .notFound, code: "unknown_image", detail: "no image named '\(request.image)' in the catalog")
        }
        // Engines that do not answer now are treated as offline, so an engine that is down gets
        // a clear refusal instead of an instance stuck in pending.
        let reachable = try await reachableNodes()
        guard !reachable.isEmpty else {
            throw GantryError(.unavailable, code: "engine_unavailable", detail: "no container engine is reachable")
        }
        let settings = self.settings
        let instance = try await store.reserveInstance(ownerID: caller.id) { snapshot in
            var snapshot = snapshot
            for index in snapshot.nodes.indices where !reachable.contains(snapshot.nodes[index].name) {
                snapshot.nodes[index].status = .offline
            }
            return try Self.decide(request, image: image, snapshot: snapshot, settings: settings)
        }
        logger.info(
            "instance reserved",
            metadata: [
                "instance": "\(instance.id)", "name": "\(instance.name)", "node": "\(instance.node)",
                "port": "\(instance.hostPort.map(String.init) ?? "-")", "owner": "\(caller.user.username)",
            ])
        trigger.poke()
        return instance
    }

    private func reachableNodes() async throws -> Set<String> {
        let nodes = try await store.listNodes()
        return await withTaskGroup(of: String?.self) { group in
            for node in nodes where node.status.acceptsPlacements {
                guard let runtime = runtimes.runtime(forNode: node.name) else { continue }
                group.addTask {
                    do {
                        try await runtime.ping()
                        return node.name
                    } catch {
                        return nil
                    }
                }
            }
            var names: Set<String> = []
            for await name in group { if let name { names.insert(name) } }
            return names
        }
    }

    /// The launch decision: name uniqueness, quota, placement and port, all on one snapshot.
    static func decide(
        _ request: LaunchRequest, image: CatalogImage, snapshot: ReservationSnapshot, settings: InstanceSettings
    ) throws(GantryError) -> Instance {
        guard !snapshot.ownerInstanceNames.contains(request.name) else {
            throw GantryError(
                .conflict, code: "duplicate_name", detail: "you already have an instance named '\(request.name)'")
        }
        let largestCPU = snapshot.nodes.map(\.capacity.cpu).max() ?? 0
        let largestMemory = snapshot.nodes.map(\.capacity.memoryMB).max() ?? 0
        if !snapshot.nodes.isEmpty, request.cpu > largestCPU {
            // Well formed, but no node this size is enrolled (yet): a capacity problem.
            throw GantryError(
                .insufficientCapacity, code: "insufficient_capacity",
                detail:
                    "no node has \(QuotaPolicy.format(request.cpu)) CPUs; the largest node has \(QuotaPolicy.format(largestCPU))"
            )
        }
        if !snapshot.nodes.isEmpty, request.memoryMB > largestMemory {
            throw GantryError(
                .insufficientCapacity, code: "insufficient_capacity",
                detail: "no node has \(request.memoryMB) MB of memory; the largest node has \(largestMemory) MB")
        }
        let limits = snapshot.owner.quotaOverride.applied(to: settings.defaultQuota)
        try QuotaPolicy.check(request: request.resources, usage: snapshot.usage, limits: limits)
        let loads = snapshot.nodes.map { node in
            NodeLoad(
                name: node.name, status: node.status, capacity: node.capacity,
                allocated: snapshot.allocated[node.name] ?? .zero,
                freePorts: PortAllocator.freeCount(in: settings.portRange, used: snapshot.usedPorts[node.name] ?? []))
        }
        switch PlacementPolicy.place(request.resources, on: loads) {
        case .unschedulable(let shortfalls):
            let summary = shortfalls.map { "\($0.node): \($0.reasons.joined(separator: "; "))" }.joined(
                separator: " | ")
            throw GantryError(
                .insufficientCapacity, code: "insufficient_capacity",
                detail: "no node can take this launch: \(summary)",
                shortfalls: shortfalls)
        case .placed(let nodeName):
            guard let node = snapshot.nodes.first(where: { $0.name == nodeName }),
                let port = PortAllocator.lowestFree(in: settings.portRange, used: snapshot.usedPorts[nodeName] ?? [])
            else {
                throw GantryError(.internalFailure, code: "internal_error", detail: "placement chose an unknown node")
            }
            let id = UUID()
            return Instance(
                id: id, name: request.name, ownerID: snapshot.owner.id, image: image.name,
                imageReference: image.reference, containerPort: image.port, cpu: request.cpu,
                memoryMB: request.memoryMB, gpus: request.gpus, stateReason: "waiting for the container to start",
                node: node.name, hostIP: node.address, hostPort: port,
                template: .forInstance(
                    id: id, name: request.name, image: image, pidsLimit: settings.pidsLimit,
                    hostBindIP: settings.hostBindIP))
        }
    }

    public func list(by caller: Principal, skip: Int, limit: Int, allUsers: Bool = true) async throws -> Page<Instance>
    {
        let window = try PageWindow(skip: skip, limit: limit)
        let owner: UUID? = caller.isAdmin && allUsers ? nil : caller.id
        return try await store.listInstances(ownerID: owner, skip: window.skip, limit: window.limit)
    }

    public func instance(id: UUID, by caller: Principal) async throws -> Instance {
        guard let instance = try await store.instance(id: id), caller.canAccess(ownerID: instance.ownerID) else {
            throw GantryError.notFound("instance")
        }
        return instance
    }

    public func stop(id: UUID, by caller: Principal) async throws -> Instance {
        try await request(.stopRequested(by: caller.user.username), id: id, by: caller)
    }

    public func start(id: UUID, by caller: Principal) async throws -> Instance {
        try await request(.startRequested(by: caller.user.username), id: id, by: caller)
    }

    public func terminate(id: UUID, by caller: Principal) async throws -> Instance {
        try await request(.terminateRequested(by: caller.user.username), id: id, by: caller)
    }

    /// Applies a user's request through the state machine with compare-and-set, retrying if the
    /// reconciler wrote in between; a request the current state refuses is a 409.
    private func request(_ event: InstanceEvent, id: UUID, by caller: Principal) async throws -> Instance {
        for _ in 0..<5 {
            let current = try await instance(id: id, by: caller)
            let transition: StateTransition<InstanceState>
            do {
                transition = try current.state.transition(on: event, at: clock.now)
            } catch {
                throw GantryError.invalidState(error.description)
            }
            let next = current.applying(transition)
            if try await store.updateInstance(next, ifStateIs: transition.from) {
                logger.info(
                    "instance \(event.action) requested",
                    metadata: ["instance": "\(id)", "by": "\(caller.user.username)"])
                trigger.poke()
                return next
            }
        }
        throw GantryError.conflict("the instance is changing state; try again")
    }

    public func logs(id: UUID, tail: Int, by caller: Principal) async throws -> String {
        guard (1...10_000).contains(tail) else { throw GantryError.invalid("tail must be between 1 and 10000") }
        let instance = try await instance(id: id, by: caller)
        guard let containerID = instance.containerID else { return "" }
        guard let runtime = runtimes.runtime(forNode: instance.node) else {
            throw GantryError.unavailable("node '\(instance.node)' has no engine configured")
        }
        do {
            return try await runtime.logs(id: containerID, tail: tail)
        } catch ContainerRuntimeError.notFound {
            return ""
        } catch {
            throw GantryError(.unavailable, code: "engine_unavailable", detail: error.description)
        }
    }
}
