import FluentKit
import Foundation
import GantryCore

final class NodeModel: Model, @unchecked Sendable {
    static let schema = "nodes"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "endpoint") var endpoint: String
    @Field(key: "address") var address: String
    @Field(key: "cpu") var cpu: Double
    @Field(key: "memory_mb") var memoryMB: Int
    @Field(key: "gpus") var gpus: Int
    @Field(key: "status") var status: String
    @Field(key: "labels_json") var labelsJSON: String
    @OptionalField(key: "last_seen_at") var lastSeenAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(_ node: Node) { apply(node) }

    func apply(_ node: Node) {
        id = node.id
        name = node.name
        endpoint = node.endpoint
        address = node.address
        cpu = node.capacity.cpu
        memoryMB = node.capacity.memoryMB
        gpus = node.capacity.gpus
        status = node.status.rawValue
        labelsJSON = JSONColumn.encode(node.labels) ?? "{}"
        lastSeenAt = node.lastSeenAt
        createdAt = node.createdAt
    }

    func domain() throws -> Node {
        guard let id else { throw StoreMappingError.missing("nodes.id") }
        return Node(
            id: id, name: name, endpoint: endpoint, address: address,
            capacity: NodeCapacity(cpu: cpu, memoryMB: memoryMB, gpus: gpus),
            status: NodeStatus(rawValue: status) ?? .offline,
            labels: JSONColumn.decode([String: String].self, from: labelsJSON) ?? [:], lastSeenAt: lastSeenAt,
            createdAt: createdAt)
    }
}
