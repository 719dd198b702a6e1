import Foundation
import GantryCore
import GantryOpenAPI
import GantryServices

// Domain values to the wire shapes of openapi.yaml. The only place the two meet.

extension Components.Schemas.User {
    init(_ user: User) {
        let quota = user.quotaOverride
        self.init(
            id: user.id.uuidString.lowercased(), email: user.email, username: user.username, fullName: user.fullName,
            role: Components.Schemas.Role(user.role), isActive: user.isActive, createdAt: user.createdAt,
            quotaOverride: quota == QuotaOverride() ? nil : Components.Schemas.QuotaOverride(quota))
    }
}

extension Components.Schemas.Role {
    init(_ role: Role) {
        switch role {
        case .admin: self = .admin
        case .user: self = .user
        }
    }

    var domain: Role {
        switch self {
        case .admin: .admin
        case .user: .user
        }
    }
}

extension Components.Schemas.QuotaOverride {
    init(_ quota: QuotaOverride) {
        self.init(instances: quota.instances, cpu: quota.cpu, memoryMb: quota.memoryMB, gpus: quota.gpus)
    }

    var domain: QuotaOverride { QuotaOverride(instances: instances, cpu: cpu, memoryMB: memoryMb, gpus: gpus) }
}

extension Components.Schemas.Quota {
    init(_ report: QuotaReport) {
        self.init(
            limits: Components.Schemas.Resources(
                instances: report.limits.instances, cpu: report.limits.cpu, memoryMb: report.limits.memoryMB,
                gpus: report.limits.gpus),
            usage: Components.Schemas.Resources(
                instances: report.usage.instances, cpu: report.usage.cpu, memoryMb: report.usage.memoryMB,
                gpus: report.usage.gpus))
    }
}

extension Components.Schemas.APIKey {
    init(_ key: APIKey) {
        self.init(id: key.id.uuidString.lowercased(), name: key.name, prefix: key.prefix, createdAt: key.createdAt)
    }
}

extension Components.Schemas.Image {
    init(_ image: CatalogImage) {
        self.init(
            name: image.name, displayName: image.displayName, reference: image.reference, port: image.port,
            description: image.description, command: image.command, capabilities: image.capabilities,
            createdAt: image.createdAt)
    }
}

extension Components.Schemas.Instance {
    init(_ instance: Instance) {
        self.init(
            id: instance.id.uuidString.lowercased(), name: instance.name, image: instance.image,
            imageReference: instance.imageReference, cpu: instance.cpu, memoryMb: instance.memoryMB,
            gpus: instance.gpus, state: Components.Schemas.InstanceState(rawValue: instance.state.rawValue) ?? .failed,
            desiredState: Components.Schemas.Instance.DesiredStatePayload(rawValue: instance.desiredState.rawValue)
                ?? .stopped,
            stateReason: instance.stateReason, node: instance.node, hostIp: instance.hostIP,
            hostPort: instance.hostPort,
            endpoint: instance.endpoint, containerId: instance.containerID,
            ownerId: instance.ownerID.uuidString.lowercased(), createdAt: instance.createdAt,
            updatedAt: instance.updatedAt, stateChangedAt: instance.stateChangedAt)
    }
}

extension Components.Schemas.Capacity {
    init(_ capacity: NodeCapacity) {
        self.init(cpu: capacity.cpu, memoryMb: capacity.memoryMB, gpus: capacity.gpus)
    }
}

extension Components.Schemas.Node {
    init(_ view: NodeView) {
        let node = view.node
        self.init(
            id: node.id.uuidString.lowercased(), name: node.name, endpoint: node.endpoint, address: node.address,
            status: Components.Schemas.Node.StatusPayload(rawValue: node.status.rawValue) ?? .offline,
            labels: .init(additionalProperties: node.labels), capacity: .init(node.capacity),
            allocated: .init(view.allocated), lastSeenAt: node.lastSeenAt, createdAt: node.createdAt)
    }
}

extension Components.Schemas.Cluster {
    init(_ summary: ClusterSummary) {
        let free = NodeCapacity(
            cpu: max(summary.capacity.cpu - summary.allocated.cpu, 0),
            memoryMB: max(summary.capacity.memoryMB - summary.allocated.memoryMB, 0),
            gpus: max(summary.capacity.gpus - summary.allocated.gpus, 0))
        self.init(
            nodes: summary.nodes, onlineNodes: summary.onlineNodes, capacity: .init(summary.capacity),
            allocated: .init(summary.allocated), free: .init(free))
    }
}

extension Components.Schemas._Error {
    init(_ error: GantryError) {
        self.init(
            error: error.code, detail: error.detail, resource: error.resource,
            nodes: error.shortfalls?.map { Components.Schemas.NodeShortfall(node: $0.node, reasons: $0.reasons) })
    }
}

extension Components.Schemas.SSHKey {
    init(_ key: UserSSHKey) {
        self.init(
            id: key.id.uuidString.lowercased(), name: key.name, _type: key.type, fingerprint: key.fingerprint,
            publicKey: key.publicKey, createdAt: key.createdAt, lastUsedAt: key.lastUsedAt)
    }
}

extension Components.Schemas.Session {
    init(_ view: SessionView) {
        let session = view.session
        self.init(
            sessionId: session.id.uuidString.lowercased(), containerId: session.containerID ?? "",
            sshUser: view.username, sshHost: view.sshHost, sshPort: view.sshPort, gpuUuid: session.gpu?.deviceUUID,
            createdAt: session.createdAt, expiresAt: session.expiresAt,
            status: Components.Schemas.SessionStatus(rawValue: session.state.rawValue) ?? .failed,
            statusReason: session.stateReason, name: session.name, ownerId: session.ownerID.uuidString.lowercased(),
            migProfile: session.requestedProfile,
            gpuAllocation: GpuAllocationPayload(rawValue: (session.gpu?.kind ?? .none).rawValue)
                ?? GpuAllocationPayload.none,
            gpuProfile: session.gpu?.profile, gpuIndex: session.gpu?.gpuIndex, gpuModel: session.gpu?.gpuModel,
            node: session.node, image: session.image, cpu: session.cpu, memoryMb: session.memoryMB,
            sshCommand: view.sshCommand, workspace: session.workspacePath, endedAt: session.endedAt)
    }
}

extension Components.Schemas.GPUHolder {
    init?(_ holder: GPUService.Holder?) {
        guard let holder, let id = holder.sessionID else { return nil }
        self.init(sessionId: id.uuidString.lowercased(), userId: holder.username, expiresAt: holder.expiresAt)
    }
}

extension Components.Schemas.Gpu {
    init(_ view: GPUService.GPUView) {
        self.init(
            node: view.node, index: view.gpu.index, uuid: view.gpu.uuid, model: view.gpu.model,
            memoryMb: view.gpu.memoryMB, migMode: MigModePayload(rawValue: view.gpu.migMode.rawValue) ?? .unsupported,
            migDevices: view.migDevices.map { device in
                Components.Schemas.MIGDevice(
                    uuid: device.device.uuid, profile: device.device.profile,
                    gpuInstanceId: device.device.gpuInstanceID, computeInstanceId: device.device.computeInstanceID,
                    memoryMb: device.device.memoryMB, inUse: device.holder != nil,
                    heldBy: Components.Schemas.GPUHolder(device.holder))
            },
            inUse: view.holder != nil, heldBy: Components.Schemas.GPUHolder(view.holder))
    }
}
