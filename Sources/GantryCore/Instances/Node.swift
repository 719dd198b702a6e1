import Foundation

public enum NodeStatus: String, Sendable, Codable, CaseIterable {
    case enrolled
    case online
    case offline
    case draining
    case removed

    /// Only online nodes take new work.
    public var acceptsPlacements: Bool { self == .online }
}

public struct NodeCapacity: Sendable, Equatable, Codable {
    public var cpu: Double
    public var memoryMB: Int
    public var gpus: Int

    public init(cpu: Double, memoryMB: Int, gpus: Int = 0) {
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.gpus = gpus
    }

    public static let zero = NodeCapacity(cpu: 0, memoryMB: 0, gpus: 0)
}

/// A Docker host Gantry places work on. `endpoint` is how Gantry reaches its engine;
/// `address` is the IP users reach published ports on.
public struct Node: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var name: String
    public var endpoint: String
    public var address: String
    public var capacity: NodeCapacity
    public var status: NodeStatus
    public var labels: [String: String]
    public var lastSeenAt: Date?
    public var createdAt: Date

    public init(
        id: UUID = UUID(), name: String, endpoint: String, address: String, capacity: NodeCapacity,
        status: NodeStatus, labels: [String: String] = [:], lastSeenAt: Date? = nil, createdAt: Date = Date()
    ) {
        self.id = id
        self.name = name
        self.endpoint = endpoint
        self.address = address
        self.capacity = capacity
        self.status = status
        self.labels = labels
        self.lastSeenAt = lastSeenAt
        self.createdAt = createdAt
    }
}
