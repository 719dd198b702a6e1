import Foundation

/// The one model of something Gantry runs, whatever its kind: who owns it, what it holds, where
/// it runs, what should become of it and what it is now. The reconcile planner and the spec
/// builder see only this.
public struct Workload: Sendable, Equatable, Identifiable {
    public var kind: WorkloadKind
    public var id: UUID
    /// Written as the `gantry.name` label: the instance or session name, a job's plugin name.
    public var name: String
    public var ownerID: UUID
    public var node: String
    public var resources: WorkloadResources
    /// The GPU device UUIDs (`GPU-…`, `MIG-…`) it holds exclusively.
    public var gpuDevices: [String]
    public var desired: WorkloadDesiredState
    public var phase: WorkloadPhase
    /// The engine's id of its container once created; nil while none is recorded.
    public var containerID: String?
    /// The host port its container publishes, when it holds one.
    public var hostPort: Int?
    public var template: ContainerTemplate
    public var createdAt: Date
    /// When the current phase began (as well as the record knows).
    public var phaseSince: Date
    /// When it ends by itself (sessions' TTL).
    public var expiresAt: Date?

    public init(
        kind: WorkloadKind, id: UUID, name: String, ownerID: UUID, node: String, resources: WorkloadResources,
        gpuDevices: [String] = [], desired: WorkloadDesiredState, phase: WorkloadPhase, containerID: String? = nil,
        hostPort: Int? = nil, template: ContainerTemplate, createdAt: Date, phaseSince: Date, expiresAt: Date? = nil
    ) {
        self.kind = kind
        self.id = id
        self.name = name
        self.ownerID = ownerID
        self.node = node
        self.resources = resources
        self.gpuDevices = gpuDevices
        self.desired = desired
        self.phase = phase
        self.containerID = containerID
        self.hostPort = hostPort
        self.template = template
        self.createdAt = createdAt
        self.phaseSince = phaseSince
        self.expiresAt = expiresAt
    }
}
