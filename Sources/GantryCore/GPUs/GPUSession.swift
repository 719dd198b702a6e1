import Foundation

/// DESIGN.md: `creating → running → expired | terminated`; `failed` with a reason.
public enum SessionState: String, Sendable, Codable, CaseIterable {
    case creating
    case running
    case expired
    case terminated
    case failed

    /// States that hold a GPU device, quota and a container.
    public var isActive: Bool { self == .creating || self == .running }

    public func canTransition(to next: SessionState) -> Bool {
        switch (self, next) {
        case (.creating, .running), (.creating, .failed), (.creating, .terminated): true
        case (.running, .expired), (.running, .terminated), (.running, .failed): true
        default: false
        }
    }
}

/// How a session's GPU was given.
public enum GPUAllocationKind: String, Sendable, Codable, CaseIterable {
    case none
    /// One MIG device of the requested profile.
    case mig
    /// A whole GPU, as asked (`full`).
    case wholeGPU = "whole_gpu"
    /// A whole GPU without MIG, given for a MIG request (seed 001's fallback).
    case wholeGPUFallback = "whole_gpu_fallback"
}

/// The GPU device a session holds.
public struct GPUAssignment: Sendable, Equatable {
    public var kind: GPUAllocationKind
    /// `MIG-…` or `GPU-…`: what the container is given.
    public var deviceUUID: String
    public var gpuIndex: Int
    public var gpuModel: String
    /// The MIG profile held, for `mig`.
    public var profile: String?

    public init(kind: GPUAllocationKind, deviceUUID: String, gpuIndex: Int, gpuModel: String, profile: String?) {
        self.kind = kind
        self.deviceUUID = deviceUUID
        self.gpuIndex = gpuIndex
        self.gpuModel = gpuModel
        self.profile = profile
    }
}

/// A per-user container with a GPU slice and a persistent workspace (seed 001).
public struct GPUSession: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var name: String
    public var ownerID: UUID
    public var node: String
    public var image: String
    public var imageReference: String
    public var cpu: Double
    public var memoryMB: Int
    /// What was asked for: a profile name, `full` or `none`.
    public var requestedProfile: String
    public var gpu: GPUAssignment?
    public var state: SessionState
    public var stateReason: String?
    public var containerID: String?
    public var workspacePath: String
    public var posixUID: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var expiresAt: Date
    public var endedAt: Date?
    /// The container as decided at creation; never re-derived from the settings.
    public var template: ContainerTemplate

    public init(
        id: UUID = UUID(), name: String, ownerID: UUID, node: String, image: String, imageReference: String,
        cpu: Double, memoryMB: Int, requestedProfile: String, gpu: GPUAssignment?, state: SessionState = .creating,
        stateReason: String? = nil, containerID: String? = nil, workspacePath: String, posixUID: Int,
        createdAt: Date, updatedAt: Date? = nil, expiresAt: Date, endedAt: Date? = nil, template: ContainerTemplate
    ) {
        self.id = id
        self.name = name
        self.ownerID = ownerID
        self.node = node
        self.image = image
        self.imageReference = imageReference
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.requestedProfile = requestedProfile
        self.gpu = gpu
        self.state = state
        self.stateReason = stateReason
        self.containerID = containerID
        self.workspacePath = workspacePath
        self.posixUID = posixUID
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.expiresAt = expiresAt
        self.endedAt = endedAt
        self.template = template
    }

    /// What the session holds against its owner's quota.
    public var resources: ResourceAmount {
        ResourceAmount(instances: 0, cpu: cpu, memoryMB: memoryMB, gpus: gpu == nil ? 0 : 1)
    }
}
