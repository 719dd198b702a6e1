import Foundation
import GantryCore
import GantryPorts
import Synchronization

/// A container engine in memory: containers are records whose status the calls change, as the
/// Docker adapter's would (a name is unique, a missing image cannot be created from, removing
/// a missing container succeeds, stopping or starting one throws `notFound`). It records the
/// specs it was asked to create and every call, and fails on demand through `failures`.
/// Tests change containers behind its back with `exit(_:code:)`, `vanish(_:)` and `plant(…)`.
public final class FakeContainerRuntime: ContainerRuntime, Sendable {
    /// What to fail. `unreachable` makes every call throw `.unreachable`; the others fail one
    /// kind of call.
    public struct Failures: Sendable, Equatable {
        public var unreachable: Bool
        /// Host ports taken by something outside Gantry: starting a container that publishes one
        /// throws `.portInUse`.
        public var portsInUse: Set<Int>
        /// Image references whose pull throws `.imagePullFailed`.
        public var unpullableImages: Set<String>
        /// Image references the engine refuses to parse: `imageExists` answers 400.
        public var malformedImages: Set<String> = []
        /// Thrown by every `imageExists` (a transient engine error, say), when set.
        public var imageLookupError: ContainerRuntimeError?
        /// Thrown by every `createContainer`.
        public var createError: ContainerRuntimeError?
        /// Thrown by every `startContainer` (after the existence check).
        public var startError: ContainerRuntimeError?
        /// How long `listContainers` takes before answering (a stuck engine).
        public var listDelay: Duration?

        public init(
            unreachable: Bool = false, portsInUse: Set<Int> = [], unpullableImages: Set<String> = [],
            createError: ContainerRuntimeError? = nil, startError: ContainerRuntimeError? = nil,
            listDelay: Duration? = nil
        ) {
            self.unreachable = unreachable
            self.portsInUse = portsInUse
            self.unpullableImages = unpullableImages
            self.createError = createError
            self.startError = startError
            self.listDelay = listDelay
        }

        public static let none = Failures()
    }

    /// One container as the fake holds it.
    public struct Container: Sendable, Equatable {
        public var id: String
        public var spec: ContainerSpec
        public var status: ContainerObservation.Status
        public var exitCode: Int?
        public var createdAt: Date
        /// The network ids it is attached to, with its address on each.
        public var addresses: [String: String]

        public var observation: ContainerObservation {
            ContainerObservation(
                id: id, name: spec.name, labels: spec.labels, status: status, exitCode: exitCode, createdAt: createdAt)
        }
    }

    /// A call as the fake received it.
    public enum Call: Sendable, Equatable {
        case ping
        case info
        case imageExists(String)
        case pullImage(String)
        case createContainer(name: String)
        case startContainer(String)
        case stopContainer(String, timeoutSeconds: Int)
        case removeContainer(String)
        case inspectContainer(String)
        case listContainers(labels: [String: String])
        case logs(String, tail: Int)
        case ensureNetwork(String, isolated: Bool)
        case containerAddress(String, network: String)
    }

    public struct Network: Sendable, Equatable {
        public var id: String
        public var name: String
        public var isolated: Bool
        public var labels: [String: String]
    }

    struct State {
        var failures = Failures()
        var images: Set<String>
        var containers: [String: Container] = [:]
        /// Creation order, so listings are stable.
        var order: [String] = []
        var networks: [String: Network] = [:]
        var createdSpecs: [ContainerSpec] = []
        var calls: [Call] = []
        var logs: [String: String] = [:]
        var nextNumber = 1

        mutating func newID() -> String {
            defer { nextNumber += 1 }
            let hex = String(nextNumber, radix: 16)
            let random = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let padding = String(repeating: "0", count: max(0, 12 - hex.count))
            return padding + hex + String(random.prefix(52))
        }

        /// By id or by name, as the engine resolves either.
        func resolve(_ reference: String) -> String? {
            if containers[reference] != nil { return reference }
            return order.first { containers[$0]?.spec.name == reference }
        }
    }

    private let state: Mutex<State>
    private let clock: WallClock
    private let engineInfo: EngineInfo

    /// Exec and attach are not offered: session set-up skips adding the account.
    public let capabilities = ContainerRuntimeCapabilities()

    /// `images` are present from the start; `clock` stamps containers' `createdAt`.
    public init(
        images: Set<String> = [], clock: WallClock = .system,
        info: EngineInfo = EngineInfo(
            hostname: "fake-node", cpus: 8, memoryBytes: 16 << 30, serverVersion: "fake", operatingSystem: "Linux")
    ) {
        self.state = Mutex(State(images: images))
        self.clock = clock
        self.engineInfo = info
    }

    // MARK: Test controls

    public var failures: Failures {
        get { state.withLock { $0.failures } }
        set { state.withLock { $0.failures = newValue } }
    }

    public func setFailures(_ failures: Failures) { state.withLock { $0.failures = failures } }

    /// Every spec `createContainer` was given, in order (including ones that then failed).
    public var createdSpecs: [ContainerSpec] { state.withLock { $0.createdSpecs } }

    public var calls: [Call] { state.withLock { $0.calls } }

    /// The containers now present, in creation order (failures do not apply).
    public var containers: [Container] {
        state.withLock { state in state.order.compactMap { state.containers[$0] } }
    }

    /// A container by id or name (failures do not apply).
    public func container(_ reference: String) -> Container? {
        state.withLock { state in state.resolve(reference).flatMap { state.containers[$0] } }
    }

    public var images: Set<String> { state.withLock { $0.images } }

    public var networks: [Network] {
        state.withLock { state in state.networks.values.sorted { $0.name < $1.name } }
    }

    public func addImage(_ reference: String) { _ = state.withLock { $0.images.insert(reference) } }

    /// The container's process ended by itself (killed, crashed, finished).
    public func exit(_ reference: String, code: Int) {
        state.withLock { state in
            guard let id = state.resolve(reference) else { return }
            state.containers[id]?.status = .exited
            state.containers[id]?.exitCode = code
        }
    }

    /// Someone removed the container with the engine's own tools.
    public func vanish(_ reference: String) {
        state.withLock { state in
            guard let id = state.resolve(reference) else { return }
            state.containers[id] = nil
            state.order.removeAll { $0 == id }
        }
    }

    /// Adds a container nobody asked this fake to create (another process's, or one left by a
    /// crash); not recorded in `createdSpecs`. Returns its id.
    @discardableResult
    public func plant(
        name: String, labels: [String: String], status: ContainerObservation.Status = .running,
        createdAt: Date, image: String = "busybox:latest"
    ) -> String {
        state.withLock { state in
            let id = state.newID()
            let spec = ContainerSpec(
                name: name, image: image, labels: labels, cpu: 0, memoryMB: 0, containerPort: 0, hostPort: 0)
            state.containers[id] = Container(
                id: id, spec: spec, status: status, exitCode: status == .exited ? 0 : nil, createdAt: createdAt,
                addresses: [:])
            state.order.append(id)
            return id
        }
    }

    /// What `logs` answers for the container.
    public func setLogs(_ text: String, for reference: String) {
        state.withLock { state in
            guard let id = state.resolve(reference) else { return }
            state.logs[id] = text
        }
    }

    // MARK: ContainerRuntime

    /// Records the call and throws `.unreachable` when the engine is down.
    private func enter<Value: Sendable>(
        _ call: Call, _ body: (inout State) throws(ContainerRuntimeError) -> Value
    ) throws(ContainerRuntimeError) -> Value {
        let outcome: Result<Value, ContainerRuntimeError> = state.withLock { state in
            state.calls.append(call)
            guard !state.failures.unreachable else { return .failure(.unreachable("fake engine is down")) }
            do throws(ContainerRuntimeError) {
                return .success(try body(&state))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    public func ping() async throws(ContainerRuntimeError) {
        try enter(.ping) { _ in }
    }

    public func info() async throws(ContainerRuntimeError) -> EngineInfo {
        let info = engineInfo
        return try enter(.info) { _ in info }
    }

    public func imageExists(_ reference: String) async throws(ContainerRuntimeError) -> Bool {
        try enter(.imageExists(reference)) { state throws(ContainerRuntimeError) in
            if let error = state.failures.imageLookupError { throw error }
            guard !state.failures.malformedImages.contains(reference) else {
                throw .engine(status: 400, message: "invalid reference format")
            }
            return state.images.contains(reference)
        }
    }

    public func pullImage(_ reference: String) async throws(ContainerRuntimeError) {
        try enter(.pullImage(reference)) { state throws(ContainerRuntimeError) in
            guard !state.failures.unpullableImages.contains(reference) else {
                throw .imagePullFailed(reference: reference, detail: "pull access denied for \(reference)")
            }
            state.images.insert(reference)
        }
    }

    /// Throws `.notFound` for a missing image and `.engine(409, …)` for a name in use, as Docker does.
    public func createContainer(_ spec: ContainerSpec) async throws(ContainerRuntimeError) -> String {
        let now = clock.now
        return try enter(.createContainer(name: spec.name)) { state throws(ContainerRuntimeError) in
            state.createdSpecs.append(spec)
            if let error = state.failures.createError { throw error }
            guard state.images.contains(spec.image) else { throw .notFound("image \(spec.image)") }
            if let existing = state.resolve(spec.name) {
                throw .engine(
                    status: 409,
                    message:
                        "Conflict. The container name \"/\(spec.name)\" is already in use by container \"\(existing)\"")
            }
            let id = state.newID()
            var addresses: [String: String] = [:]
            if let network = spec.network {
                addresses[network] = "10.88.0.\(state.nextNumber % 250 + 2)"
            }
            state.containers[id] = Container(
                id: id, spec: spec, status: .created, exitCode: nil, createdAt: now, addresses: addresses)
            state.order.append(id)
            return id
        }
    }

    /// Throws `.portInUse` when the host port is in `failures.portsInUse` or published by another
    /// running container.
    public func startContainer(id reference: String) async throws(ContainerRuntimeError) {
        try enter(.startContainer(reference)) { state throws(ContainerRuntimeError) in
            guard let id = state.resolve(reference), let container = state.containers[id] else {
                throw .notFound("container \(reference)")
            }
            if let error = state.failures.startError { throw error }
            guard container.status != .running else { return }
            let port = container.spec.hostPort
            if port != 0 {
                let taken =
                    state.failures.portsInUse.contains(port)
                    || state.containers.values.contains {
                        $0.id != id && $0.status == .running && $0.spec.hostPort == port
                    }
                if taken {
                    throw .portInUse(
                        "Bind for \(container.spec.hostBindIP):\(port) failed: port is already allocated")
                }
            }
            state.containers[id]?.status = .running
            state.containers[id]?.exitCode = nil
        }
    }

    public func stopContainer(id reference: String, timeoutSeconds: Int) async throws(ContainerRuntimeError) {
        try enter(.stopContainer(reference, timeoutSeconds: timeoutSeconds)) { state throws(ContainerRuntimeError) in
            guard let id = state.resolve(reference), let container = state.containers[id] else {
                throw .notFound("container \(reference)")
            }
            guard container.status == .running || container.status == .paused || container.status == .restarting
            else { return }
            state.containers[id]?.status = .exited
            state.containers[id]?.exitCode = 0
        }
    }

    /// Succeeds when the container is already gone.
    public func removeContainer(id reference: String) async throws(ContainerRuntimeError) {
        try enter(.removeContainer(reference)) { state in
            guard let id = state.resolve(reference) else { return }
            state.containers[id] = nil
            state.order.removeAll { $0 == id }
            state.logs[id] = nil
        }
    }

    public func inspectContainer(id reference: String) async throws(ContainerRuntimeError) -> ContainerObservation? {
        try enter(.inspectContainer(reference)) { state in
            state.resolve(reference).flatMap { state.containers[$0]?.observation }
        }
    }

    /// Containers carrying every label given, in creation order, with their creation time.
    public func listContainers(labels: [String: String]) async throws(ContainerRuntimeError) -> [ContainerObservation] {
        let delay = state.withLock { $0.failures.listDelay }
        if let delay { try? await Task.sleep(for: delay) }
        return try enter(.listContainers(labels: labels)) { state in
            state.order.compactMap { state.containers[$0] }
                .filter { container in labels.allSatisfy { container.spec.labels[$0.key] == $0.value } }
                .map(\.observation)
        }
    }

    public func logs(id reference: String, tail: Int) async throws(ContainerRuntimeError) -> String {
        try enter(.logs(reference, tail: tail)) { state throws(ContainerRuntimeError) in
            guard let id = state.resolve(reference) else { throw .notFound("container \(reference)") }
            let lines = (state.logs[id] ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            return lines.suffix(max(tail, 0)).joined(separator: "\n")
        }
    }

    /// Returns the network's id, creating it on first use.
    public func ensureNetwork(
        _ name: String, isolated: Bool, labels: [String: String]
    ) async throws(ContainerRuntimeError) -> String {
        try enter(.ensureNetwork(name, isolated: isolated)) { state in
            if let existing = state.networks[name] { return existing.id }
            let id = "net-" + state.newID()
            state.networks[name] = Network(id: id, name: name, isolated: isolated, labels: labels)
            return id
        }
    }

    /// The address on `network` (a name or an id); nil when not attached.
    public func containerAddress(
        id reference: String, network: String
    ) async throws(ContainerRuntimeError)
        -> String?
    {
        try enter(.containerAddress(reference, network: network)) { state throws(ContainerRuntimeError) in
            guard let id = state.resolve(reference), let container = state.containers[id] else {
                throw .notFound("container \(reference)")
            }
            let networkID = state.networks[network]?.id
            let networkName = state.networks.values.first { $0.id == network }?.name
            return [network, networkID, networkName].compactMap { $0 }.lazy
                .compactMap { container.addresses[$0] }.first
        }
    }
}
