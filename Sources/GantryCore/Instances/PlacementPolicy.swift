/// What the scheduler sees of one node: its capacity, what is already allocated on it,
/// and how many host ports it still has free.
public struct NodeLoad: Sendable, Equatable {
    public var name: String
    public var status: NodeStatus
    public var capacity: NodeCapacity
    public var allocated: NodeCapacity
    public var freePorts: Int

    public init(name: String, status: NodeStatus, capacity: NodeCapacity, allocated: NodeCapacity, freePorts: Int) {
        self.name = name
        self.status = status
        self.capacity = capacity
        self.allocated = allocated
        self.freePorts = freePorts
    }

    public var free: NodeCapacity {
        NodeCapacity(
            cpu: capacity.cpu - allocated.cpu, memoryMB: capacity.memoryMB - allocated.memoryMB,
            gpus: capacity.gpus - allocated.gpus)
    }
}

/// Why one node could not take a request, resource by resource.
public struct NodeShortfall: Sendable, Equatable, Codable {
    public var node: String
    public var reasons: [String]

    public init(node: String, reasons: [String]) {
        self.node = node
        self.reasons = reasons
    }
}

public enum PlacementDecision: Sendable, Equatable {
    case placed(node: String)
    case unschedulable([NodeShortfall])
}

/// Picks the node with the most free capacity that fits a request (seed 000: least loaded).
/// Pure: it sees a snapshot and returns a decision, so it is tested without I/O.
public enum PlacementPolicy {
    public static func place(_ request: ResourceAmount, on nodes: [NodeLoad]) -> PlacementDecision {
        // The common case is cheap arithmetic; reasons are spelled out only when nothing fits.
        // Indices, not copies: the scan stays free of reference counting on node names.
        var best: (index: Int, score: Double)?
        for index in nodes.indices where fits(request, on: nodes[index]) {
            let score = freeScore(after: request, on: nodes[index])
            // Ties go to the lexically first name so decisions are deterministic.
            if let current = best,
                score < current.score || (score == current.score && nodes[index].name > nodes[current.index].name)
            {
                continue
            }
            best = (index, score)
        }
        if let best { return .placed(node: nodes[best.index].name) }
        if nodes.isEmpty { return .unschedulable([NodeShortfall(node: "*", reasons: ["no nodes are registered"])]) }
        return .unschedulable(nodes.map { NodeShortfall(node: $0.name, reasons: shortfall(of: request, on: $0)) })
    }

    static func fits(_ request: ResourceAmount, on node: NodeLoad) -> Bool {
        node.status.acceptsPlacements && node.freePorts > 0
            && request.cpu <= node.capacity.cpu - node.allocated.cpu + 1e-9
            && request.memoryMB <= node.capacity.memoryMB - node.allocated.memoryMB
            && request.gpus <= node.capacity.gpus - node.allocated.gpus
    }

    /// Human-readable reasons the node cannot take the request; empty when it fits.
    public static func shortfall(of request: ResourceAmount, on node: NodeLoad) -> [String] {
        var reasons: [String] = []
        if !node.status.acceptsPlacements { reasons.append("node is \(node.status.rawValue)") }
        let free = node.free
        if request.cpu > free.cpu + 1e-9 {
            reasons.append(
                "CPU: \(QuotaPolicy.format(request.cpu)) requested, \(QuotaPolicy.format(max(free.cpu, 0))) of \(QuotaPolicy.format(node.capacity.cpu)) free"
            )
        }
        if request.memoryMB > free.memoryMB {
            reasons.append(
                "memory: \(request.memoryMB) MB requested, \(max(free.memoryMB, 0)) of \(node.capacity.memoryMB) MB free"
            )
        }
        if request.gpus > free.gpus {
            reasons.append("GPU: \(request.gpus) requested, \(max(free.gpus, 0)) of \(node.capacity.gpus) free")
        }
        if node.freePorts <= 0 { reasons.append("ports: no free host port left in the range") }
        return reasons
    }

    /// Mean free fraction of CPU and memory that would remain after placing the request.
    static func freeScore(after request: ResourceAmount, on node: NodeLoad) -> Double {
        let free = node.free
        let cpu = node.capacity.cpu > 0 ? (free.cpu - request.cpu) / node.capacity.cpu : 0
        let memory =
            node.capacity.memoryMB > 0 ? Double(free.memoryMB - request.memoryMB) / Double(node.capacity.memoryMB) : 0
        return (cpu + memory) / 2
    }
}
