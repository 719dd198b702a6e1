import Foundation

public enum InstanceState: String, Sendable, Codable, CaseIterable {
    case pending
    case running
    case stopping
    case stopped
    case terminating
    case terminated
    case failed

    /// States whose resources count against quota and node capacity.
    public var holdsResources: Bool {
        switch self {
        case .pending, .running, .stopping, .stopped, .terminating: true
        case .terminated, .failed: false
        }
    }

    /// DESIGN.md's state machine: pending → running, running → stopping → stopped,
    /// stopped → pending (start), any → terminating → terminated, errors → failed.
    /// `transition(on:at:)` is the machine itself; this is the set of moves it may make.
    public func canTransition(to next: InstanceState) -> Bool {
        switch (self, next) {
        case (.terminated, _): false
        // The reconciler records terminated once the container (or its node) is gone, whatever
        // the state it found; a failed instance may still be terminated.
        case (_, .terminated): true
        case (_, .terminating): self != .terminating
        case (_, .failed): self != .failed
        case (.pending, .running), (.running, .stopping), (.stopping, .stopped), (.stopped, .pending): true
        // A stop may be asked for before the container ever started.
        case (.pending, .stopping): true
        // The runtime may report an instance stopped on its own (killed behind Gantry's back).
        case (.running, .stopped), (.pending, .stopped): true
        default: false
        }
    }
}

/// What the user wants; the reconciler drives the runtime toward it.
public enum DesiredState: String, Sendable, Codable {
    case running
    case stopped
    case terminated
}

public struct Instance: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var name: String
    public var ownerID: UUID
    public var image: String
    public var imageReference: String
    public var containerPort: Int
    public var cpu: Double
    public var memoryMB: Int
    public var gpus: Int
    public var state: InstanceState
    public var desiredState: DesiredState
    public var stateReason: String?
    public var node: String
    public var hostIP: String
    public var hostPort: Int?
    public var containerID: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var stateChangedAt: Date
    /// The container as decided at launch; never re-derived from the catalog.
    public var template: ContainerTemplate

    public init(
        id: UUID = UUID(), name: String, ownerID: UUID, image: String, imageReference: String, containerPort: Int,
        cpu: Double, memoryMB: Int, gpus: Int = 0, state: InstanceState = .pending,
        desiredState: DesiredState = .running, stateReason: String? = nil, node: String, hostIP: String,
        hostPort: Int?, containerID: String? = nil, createdAt: Date = Date(), updatedAt: Date = Date(),
        stateChangedAt: Date = Date(), template: ContainerTemplate
    ) {
        self.id = id
        self.name = name
        self.ownerID = ownerID
        self.image = image
        self.imageReference = imageReference
        self.containerPort = containerPort
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.gpus = gpus
        self.state = state
        self.desiredState = desiredState
        self.stateReason = stateReason
        self.node = node
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerID = containerID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.stateChangedAt = stateChangedAt
        self.template = template
    }

    public var resources: ResourceAmount { ResourceAmount(instances: 1, cpu: cpu, memoryMB: memoryMB, gpus: gpus) }

    /// `http://{host_ip}:{host_port}` while the instance has a port.
    public var endpoint: String? {
        guard let hostPort, state.holdsResources else { return nil }
        // The byte scan, not Foundation's substring search: listings build this for every row.
        let host = hostIP.utf8.contains(UInt8(ascii: ":")) ? "[\(hostIP)]" : hostIP
        return "http://\(host):\(hostPort)"
    }
}

/// A validated launch request.
public struct LaunchRequest: Sendable, Equatable {
    public var name: String
    public var image: String
    public var cpu: Double
    public var memoryMB: Int
    public var gpus: Int

    public init(name: String, image: String, cpu: Double, memoryMB: Int, gpus: Int = 0) {
        self.name = name
        self.image = image
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.gpus = gpus
    }

    public var resources: ResourceAmount { ResourceAmount(instances: 1, cpu: cpu, memoryMB: memoryMB, gpus: gpus) }

    /// Shape checks that need no state; limits that depend on nodes are checked by placement.
    public func validate() throws(GantryError) {
        guard Identifiers.isValidInstanceName(name) else {
            throw .invalid("name must match ^[a-z0-9][a-z0-9-]{0,62}$")
        }
        guard cpu.isFinite, cpu >= 0.1, cpu <= 1024 else { throw .invalid("cpu must be between 0.1 and 1024") }
        guard (16...4_194_304).contains(memoryMB) else { throw .invalid("memory_mb must be between 16 and 4194304") }
        guard (0...64).contains(gpus) else { throw .invalid("gpus must be between 0 and 64") }
    }
}
