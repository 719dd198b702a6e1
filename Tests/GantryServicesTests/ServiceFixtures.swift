import Foundation
import GantryCore
import GantryPorts
import GantryTestSupport
import Logging

@testable import GantryServices

/// Fixed ids, times, users, nodes, images and settings for the service tests: nothing here
/// depends on `Date()` or a random id.
enum Fixtures {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)
    static let installationID = "gantry-test-installation"

    /// An id whose string sorts by `n`.
    static func id(_ n: UInt8) -> UUID {
        UUID(uuid: (n, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, n))
    }

    static let alice = User(
        id: id(0xA1), email: "alice@example.com", username: "alice", fullName: "Alice", role: .user,
        passwordHash: "-", createdAt: start)
    static let bob = User(
        id: id(0xB0), email: "bob@example.com", username: "bob", fullName: "Bob", role: .user, passwordHash: "-",
        createdAt: start)
    static let admin = User(
        id: id(0xAD), email: "admin@example.com", username: "admin", fullName: "Admin", role: .admin,
        passwordHash: "-", createdAt: start)

    /// A catalog image with everything an instance's template takes from it.
    static let web = CatalogImage(
        name: "web", displayName: "Web", reference: "example/web:2", port: 8080, description: "A web server",
        command: ["serve", "--port", "8080"], capabilities: ["NET_BIND_SERVICE"], createdAt: start)

    static func node(
        _ name: String, cpu: Double = 8, memoryMB: Int = 16_384, address: String = "10.0.0.5",
        status: NodeStatus = .online
    ) -> Node {
        Node(
            id: id(UInt8(truncatingIfNeeded: name.utf8.reduce(0) { $0 &+ Int($1) })), name: name,
            endpoint: "unix:///fake/\(name).sock",
            address: address, capacity: NodeCapacity(cpu: cpu, memoryMB: memoryMB), status: status, createdAt: start)
    }

    static let instanceSettings = InstanceSettings(
        portRange: PortRange(lowerBound: 8000, upperBound: 8009),
        defaultQuota: QuotaLimits(instances: 3, cpu: 4, memoryMB: 8192, gpus: 1), installationID: installationID,
        pidsLimit: 256, hostBindIP: "127.0.0.1", stopTimeoutSeconds: 3)

    static let sessionSettings = SessionSettings(
        defaultImage: "ubuntu:22.04", defaultCPU: 1, defaultMemoryMB: 1024, defaultTTLMinutes: 60,
        workspaceRoot: "/srv/gantry/workspaces", network: "gantry-sessions", gpuAttach: .deviceRequest,
        sshHost: "gantry.test", creationWait: .seconds(10))

    static let logger = Logger(label: "gantry.services-tests") { _ in SwiftLogNoOpLogHandler() }

    static let migUUID = "MIG-11111111-2222-4333-8444-555555555555"
    static let otherMIGUUID = "MIG-66666666-7777-4888-8999-aaaaaaaaaaaa"
    static let wholeGPUUUID = "GPU-bbbbbbbb-cccc-4ddd-8eee-ffffffffffff"

    /// One A100 split into two 1g.10gb MIG devices, and one GPU without MIG.
    static func gpus(on node: String) -> [SchedulableGPUDevice] {
        [
            SchedulableGPUDevice(
                node: node, kind: .mig, uuid: migUUID, gpuIndex: 0, gpuUUID: "GPU-a100", gpuModel: "NVIDIA A100",
                memoryMB: 9728, profile: "1g.10gb"),
            SchedulableGPUDevice(
                node: node, kind: .mig, uuid: otherMIGUUID, gpuIndex: 0, gpuUUID: "GPU-a100",
                gpuModel: "NVIDIA A100", memoryMB: 9728, profile: "1g.10gb"),
            SchedulableGPUDevice(
                node: node, kind: .wholeGPU, uuid: wholeGPUUUID, gpuIndex: 1, gpuUUID: wholeGPUUUID,
                gpuModel: "NVIDIA L4", memoryMB: 23_034, profile: nil),
        ]
    }

    /// The same devices as an inventory the store keeps.
    static let inventory = GPUInventory(
        driverVersion: "550.54", cudaVersion: "12.4",
        gpus: [
            PhysicalGPU(
                index: 0, uuid: "GPU-a100", model: "NVIDIA A100", memoryMB: 40_960, migMode: .enabled,
                migDevices: [
                    MIGDevice(
                        uuid: migUUID, profile: "1g.10gb", gpuInstanceID: 1, computeInstanceID: 0, memoryMB: 9728),
                    MIGDevice(
                        uuid: otherMIGUUID, profile: "1g.10gb", gpuInstanceID: 2, computeInstanceID: 0, memoryMB: 9728),
                ]),
            PhysicalGPU(index: 1, uuid: wholeGPUUUID, model: "NVIDIA L4", memoryMB: 23_034, migMode: .unsupported),
        ])

    /// A recorded instance of alice's on `local`, as a reservation would have made it.
    static func instance(
        id instanceID: UUID = id(0x11), name: String = "app", state: InstanceState = .running,
        desired: DesiredState = .running, containerID: String? = "c-app", hostPort: Int? = 8000
    ) -> Instance {
        Instance(
            id: instanceID, name: name, ownerID: alice.id, image: web.name, imageReference: web.reference,
            containerPort: web.port, cpu: 1, memoryMB: 512, state: state, desiredState: desired,
            stateReason: "as seeded",
            node: "local", hostIP: "10.0.0.5", hostPort: hostPort, containerID: containerID, createdAt: start,
            updatedAt: start, stateChangedAt: start,
            template: .forInstance(
                id: instanceID, name: name, image: web, pidsLimit: instanceSettings.pidsLimit,
                hostBindIP: instanceSettings.hostBindIP))
    }

    static func reservation(
        owner: User = alice, usage: ResourceAmount = .zero, names: Set<String> = [], nodes: [Node] = [node("local")],
        allocated: [String: NodeCapacity] = [:], usedPorts: [String: Set<Int>] = [:]
    ) -> ReservationSnapshot {
        ReservationSnapshot(
            owner: owner, usage: usage, ownerInstanceNames: names, nodes: nodes, allocated: allocated,
            usedPorts: usedPorts)
    }

    static func sessionReservation(
        owner: User = alice, usage: ResourceAmount = .zero, names: Set<String> = [], nodes: [Node] = [node("local")],
        allocated: [String: NodeCapacity] = [:], devices: [SchedulableGPUDevice] = [], held: Set<String> = [],
        posixUID: Int = 20_007
    ) -> SessionReservationSnapshot {
        SessionReservationSnapshot(
            owner: owner, usage: usage, ownerActiveSessionNames: names, nodes: nodes, allocated: allocated,
            devices: devices, heldDevices: held, posixUID: posixUID)
    }
}

/// A whole control plane on the in-memory twins: one node, `local`, with a fake engine, and a
/// clock the test moves.
struct Harness {
    let clock: TestClock
    let store: InMemoryStore
    let runtime: FakeContainerRuntime
    let workspaces: FakeWorkspaceProvisioner
    let instances: InstanceService
    let sessions: SessionService
    let reconciler: WorkloadReconciler
    let policy: ReconcilePolicy

    static let alice = Principal(user: Fixtures.alice)
    static let bob = Principal(user: Fixtures.bob)
    static let admin = Principal(user: Fixtures.admin)

    init(start: Date = Fixtures.start, policy: ReconcilePolicy = ReconcilePolicy(danglingGrace: 60)) async throws {
        let clock = TestClock(start)
        let store = InMemoryStore(clock: clock.wallClock)
        let runtime = FakeContainerRuntime(clock: clock.wallClock)
        let workspaces = FakeWorkspaceProvisioner()
        let runtimes = StaticRuntimeDirectory(["local": runtime])
        let trigger = ReconcileTrigger()
        for user in [Fixtures.alice, Fixtures.bob, Fixtures.admin] { try await store.createUser(user) }
        try await store.upsertNode(Fixtures.node("local"))
        try await store.createImage(Fixtures.web)
        let logger = Fixtures.logger
        let sessions = SessionService(
            store: store, runtimes: runtimes, workspaces: workspaces, settings: Fixtures.sessionSettings,
            instanceSettings: Fixtures.instanceSettings, trigger: trigger, clock: clock.wallClock, logger: logger)
        self.clock = clock
        self.store = store
        self.runtime = runtime
        self.workspaces = workspaces
        self.policy = policy
        self.sessions = sessions
        self.instances = InstanceService(
            store: store, runtimes: runtimes, settings: Fixtures.instanceSettings, trigger: trigger,
            clock: clock.wallClock, logger: logger)
        self.reconciler = WorkloadReconciler(
            store: store, runtimes: runtimes,
            instances: InstanceDriver(
                store: store, runtimes: runtimes, settings: Fixtures.instanceSettings, clock: clock.wallClock,
                logger: logger),
            sessions: sessions, installationID: Fixtures.installationID,
            jobs: JobSettings(concurrency: 0, node: "local", installation: Fixtures.installationID), policy: policy,
            observeTimeout: .seconds(5), clock: clock.wallClock, logger: logger)
    }

    /// The stored instance, or a test failure.
    func instance(_ id: UUID) async throws -> Instance {
        guard let instance = try await store.instance(id: id) else { throw TestFailure("instance \(id) is gone") }
        return instance
    }

    func session(_ id: UUID) async throws -> GPUSession {
        guard let session = try await store.session(id: id) else { throw TestFailure("session \(id) is gone") }
        return session
    }

    /// Launches `name` from the `web` image for alice through the service (it is left pending).
    func launch(_ name: String = "app", cpu: Double = 1, memoryMB: Int = 512) async throws -> Instance {
        try await instances.launch(
            LaunchRequest(name: name, image: "web", cpu: cpu, memoryMB: memoryMB), by: Self.alice)
    }

    /// Launches and reconciles once: the instance runs.
    func launchRunning(_ name: String = "app") async throws -> Instance {
        let reserved = try await launch(name)
        try await reconciler.reconcileAll()
        let running = try await instance(reserved.id)
        guard running.state == .running else { throw TestFailure("\(name) is \(running.state), not running") }
        return running
    }

    /// Reserves a creating session for alice the way `SessionService.create` does, without
    /// waiting for it to run.
    func reserveSession(_ request: SessionRequest) async throws -> GPUSession {
        let validated = try ValidatedSessionRequest(request, settings: Fixtures.sessionSettings)
        let now = clock.now
        let id = UUID()
        let reference = request.image ?? Fixtures.sessionSettings.defaultImage
        return try await store.reserveSession(
            ownerID: Fixtures.alice.id, firstPosixUID: Fixtures.sessionSettings.firstPosixUID
        ) { snapshot in
            try SessionService.decide(
                validated, id: id, image: reference, reference: reference, snapshot: snapshot,
                settings: Fixtures.sessionSettings, defaultQuota: Fixtures.instanceSettings.defaultQuota,
                pidsLimit: Fixtures.instanceSettings.pidsLimit, now: now)
        }
    }
}
