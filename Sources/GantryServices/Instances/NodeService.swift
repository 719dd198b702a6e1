import Foundation
import GantryCore
import GantryPorts
import Logging

public struct ClusterSummary: Sendable, Equatable {
    public var nodes: Int
    public var onlineNodes: Int
    public var capacity: NodeCapacity
    public var allocated: NodeCapacity
}

public struct NodeView: Sendable, Equatable {
    public var node: Node
    public var allocated: NodeCapacity
}

/// Nodes and their engines: registration, health, capacity views.
public struct NodeService: Sendable {
    let store: any NodeStore
    let runtimes: any ContainerRuntimeDirectory
    /// Schedulable cores per physical core; above 1, CPU limits may add up to more than the host.
    let cpuOvercommit: Double
    let clock: WallClock
    let logger: Logger

    public init(
        store: any NodeStore, runtimes: any ContainerRuntimeDirectory, cpuOvercommit: Double = 1,
        clock: WallClock = .system, logger: Logger
    ) {
        self.clock = clock
        self.store = store
        self.runtimes = runtimes
        self.cpuOvercommit = cpuOvercommit
        self.logger = logger
    }

    /// Registers (or refreshes) a node from what its engine reports. An unreachable engine still
    /// gets a record, marked offline, so the problem is visible in the API.
    @discardableResult
    public func register(
        name: String, endpoint: String, address: String, labels: [String: String] = [:]
    ) async throws
        -> Node
    {
        var node =
            try await store.node(name: name)
            ?? Node(name: name, endpoint: endpoint, address: address, capacity: .zero, status: .enrolled)
        node.endpoint = endpoint
        node.address = address
        node.labels = labels
        await refresh(&node)
        try await store.upsertNode(node)
        logger.info(
            "node registered",
            metadata: [
                "node": "\(name)", "status": "\(node.status.rawValue)", "cpu": "\(node.capacity.cpu)",
                "memory_mb": "\(node.capacity.memoryMB)",
            ])
        return node
    }

    /// Pings every node's engine and records online/offline and capacity changes.
    public func heartbeat() async throws {
        for var node in try await store.listNodes() where node.status != .removed && node.status != .draining {
            let before = node
            await refresh(&node)
            if node != before {
                if node.status != before.status {
                    logger.warning(
                        "node status changed",
                        metadata: ["node": "\(node.name)", "from": "\(before.status)", "to": "\(node.status)"])
                }
                try await store.upsertNode(node)
            }
        }
    }

    private func refresh(_ node: inout Node) async {
        guard let runtime = runtimes.runtime(forNode: node.name) else {
            node.status = .offline
            return
        }
        do {
            let info = try await runtime.info()
            node.capacity = NodeCapacity(
                cpu: Double(info.cpus) * cpuOvercommit, memoryMB: Int(info.memoryBytes / (1024 * 1024)),
                gpus: node.capacity.gpus)
            node.status = .online
            node.lastSeenAt = clock.now
        } catch {
            node.status = .offline
        }
    }

    public func list() async throws -> [NodeView] {
        let allocations = try await store.allocations()
        return try await store.listNodes().map { NodeView(node: $0, allocated: allocations[$0.name] ?? .zero) }
    }

    public func list(skip: Int, limit: Int) async throws -> Page<NodeView> {
        let window = try PageWindow(skip: skip, limit: limit)
        return Page(slicing: try await list(), window: window)
    }

    public func cluster() async throws -> ClusterSummary {
        Self.summary(of: try await list())
    }

    /// The totals over `views` (from `list()`), for a caller that already has them.
    public static func summary(of views: [NodeView]) -> ClusterSummary {
        let online = views.filter { $0.node.status == .online }
        func sum(_ pick: (NodeView) -> NodeCapacity) -> NodeCapacity {
            online.reduce(NodeCapacity.zero) { total, view in
                let value = pick(view)
                return NodeCapacity(
                    cpu: total.cpu + value.cpu, memoryMB: total.memoryMB + value.memoryMB,
                    gpus: total.gpus + value.gpus)
            }
        }
        return ClusterSummary(
            nodes: views.count, onlineNodes: online.count, capacity: sum { $0.node.capacity },
            allocated: sum { $0.allocated })
    }
}
