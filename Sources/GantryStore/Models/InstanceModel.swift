import FluentKit
import Foundation
import GantryCore

/// Writes of `instances` rows; reads go through `InstanceRow`, the table's one read mapping.
final class InstanceModel: Model, @unchecked Sendable {
    static let schema = "instances"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "owner_id") var ownerID: UUID
    @Field(key: "image") var image: String
    @Field(key: "image_reference") var imageReference: String
    @Field(key: "container_port") var containerPort: Int
    @Field(key: "cpu") var cpu: Double
    @Field(key: "memory_mb") var memoryMB: Int
    @Field(key: "gpus") var gpus: Int
    @Field(key: "state") var state: String
    @Field(key: "desired_state") var desiredState: String
    @OptionalField(key: "state_reason") var stateReason: String?
    @Field(key: "node") var node: String
    @Field(key: "host_ip") var hostIP: String
    @OptionalField(key: "host_port") var hostPort: Int?
    @OptionalField(key: "container_id") var containerID: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "state_changed_at") var stateChangedAt: Date
    @OptionalField(key: "container_template") var containerTemplate: String?

    init() {}

    init(_ instance: Instance) throws { try apply(instance) }

    func apply(_ instance: Instance) throws {
        id = instance.id
        name = instance.name
        ownerID = instance.ownerID
        image = instance.image
        imageReference = instance.imageReference
        containerPort = instance.containerPort
        cpu = instance.cpu
        memoryMB = instance.memoryMB
        gpus = instance.gpus
        state = instance.state.rawValue
        desiredState = instance.desiredState.rawValue
        stateReason = instance.stateReason
        node = instance.node
        hostIP = instance.hostIP
        hostPort = instance.hostPort
        containerID = instance.containerID
        createdAt = instance.createdAt
        updatedAt = instance.updatedAt
        stateChangedAt = instance.stateChangedAt
        containerTemplate = try StoredTemplate.encode(instance.template)
    }

    var resources: ResourceAmount { ResourceAmount(instances: 1, cpu: cpu, memoryMB: memoryMB, gpus: gpus) }
}
