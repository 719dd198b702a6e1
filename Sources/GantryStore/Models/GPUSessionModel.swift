import FluentKit
import Foundation
import GantryCore

final class GPUSessionModel: Model, @unchecked Sendable {
    static let schema = "gpu_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "owner_id") var ownerID: UUID
    @Field(key: "node") var node: String
    @Field(key: "image") var image: String
    @Field(key: "image_reference") var imageReference: String
    @Field(key: "cpu") var cpu: Double
    @Field(key: "memory_mb") var memoryMB: Int
    @Field(key: "requested_profile") var requestedProfile: String
    @Field(key: "gpu_allocation") var gpuAllocation: String
    @OptionalField(key: "gpu_uuid") var gpuUUID: String?
    @OptionalField(key: "gpu_index") var gpuIndex: Int?
    @OptionalField(key: "gpu_model") var gpuModel: String?
    @OptionalField(key: "gpu_profile") var gpuProfile: String?
    @Field(key: "state") var state: String
    @OptionalField(key: "state_reason") var stateReason: String?
    @OptionalField(key: "container_id") var containerID: String?
    @Field(key: "workspace_path") var workspacePath: String
    @Field(key: "posix_uid") var posixUID: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "ended_at") var endedAt: Date?
    @OptionalField(key: "container_template") var containerTemplate: String?

    init() {}

    init(_ session: GPUSession) throws {
        id = session.id
        try apply(session)
    }

    func apply(_ session: GPUSession) throws {
        name = session.name
        ownerID = session.ownerID
        node = session.node
        image = session.image
        imageReference = session.imageReference
        cpu = session.cpu
        memoryMB = session.memoryMB
        requestedProfile = session.requestedProfile
        gpuAllocation = (session.gpu?.kind ?? .none).rawValue
        gpuUUID = session.gpu?.deviceUUID
        gpuIndex = session.gpu?.gpuIndex
        gpuModel = session.gpu?.gpuModel
        gpuProfile = session.gpu?.profile
        state = session.state.rawValue
        stateReason = session.stateReason
        containerID = session.containerID
        workspacePath = session.workspacePath
        posixUID = session.posixUID
        createdAt = session.createdAt
        updatedAt = session.updatedAt
        expiresAt = session.expiresAt
        endedAt = session.endedAt
        containerTemplate = try StoredTemplate.encode(session.template)
    }

    var resources: ResourceAmount {
        ResourceAmount(instances: 0, cpu: cpu, memoryMB: memoryMB, gpus: gpuUUID == nil ? 0 : 1)
    }

    func domain() throws -> GPUSession {
        guard let id else { throw StoreMappingError.missing("gpu_sessions.id") }
        guard let state = SessionState(rawValue: state) else {
            throw StoreMappingError.invalid("gpu_sessions.state", state)
        }
        var gpu: GPUAssignment?
        if let gpuUUID, let kind = GPUAllocationKind(rawValue: gpuAllocation), kind != .none {
            gpu = GPUAssignment(
                kind: kind, deviceUUID: gpuUUID, gpuIndex: gpuIndex ?? 0, gpuModel: gpuModel ?? "",
                profile: gpuProfile)
        }
        return GPUSession(
            id: id, name: name, ownerID: ownerID, node: node, image: image, imageReference: imageReference, cpu: cpu,
            memoryMB: memoryMB, requestedProfile: requestedProfile, gpu: gpu, state: state, stateReason: stateReason,
            containerID: containerID, workspacePath: workspacePath, posixUID: posixUID, createdAt: createdAt,
            updatedAt: updatedAt, expiresAt: expiresAt, endedAt: endedAt,
            template: try StoredTemplate.decode(containerTemplate, column: "gpu_sessions.container_template"))
    }
}
