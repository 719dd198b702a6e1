import GantryCore

/// What the engine says about its host, read at start to register the node.
public struct EngineInfo: Sendable, Equatable {
    public var hostname: String
    public var cpus: Int
    public var memoryBytes: Int64
    public var serverVersion: String
    public var operatingSystem: String

    public init(hostname: String, cpus: Int, memoryBytes: Int64, serverVersion: String, operatingSystem: String) {
        self.hostname = hostname
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.serverVersion = serverVersion
        self.operatingSystem = operatingSystem
    }
}

public enum ContainerRuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The engine could not be reached at all (socket missing, daemon down).
    case unreachable(String)
    case notFound(String)
    /// The host port is already bound by something else on the node.
    case portInUse(String)
    case imagePullFailed(reference: String, detail: String)
    /// Any other answer the engine gave, with its status and message.
    case engine(status: Int, message: String)

    public var description: String {
        switch self {
        case .unreachable(let detail): "container engine unreachable: \(detail)"
        case .notFound(let what): "\(what) not found in the engine"
        case .portInUse(let detail): "host port already in use: \(detail)"
        case .imagePullFailed(let reference, let detail): "pulling image \(reference) failed: \(detail)"
        case .engine(let status, let message): "engine answered \(status): \(message)"
        }
    }
}

/// One Docker Engine (one node). Implemented by the DockerEngine adapter.
public protocol ContainerRuntime: Sendable {
    func ping() async throws(ContainerRuntimeError)
    func info() async throws(ContainerRuntimeError) -> EngineInfo
    func imageExists(_ reference: String) async throws(ContainerRuntimeError) -> Bool
    /// Pulls `reference`, waiting until the pull has finished; throws `imagePullFailed`.
    func pullImage(_ reference: String) async throws(ContainerRuntimeError)
    /// Creates (does not start) a container; returns its id.
    func createContainer(_ spec: ContainerSpec) async throws(ContainerRuntimeError) -> String
    /// Starts a created or stopped container; throws `portInUse` when its host port is taken.
    func startContainer(id: String) async throws(ContainerRuntimeError)
    func stopContainer(id: String, timeoutSeconds: Int) async throws(ContainerRuntimeError)
    /// Removes a container (and its anonymous volumes); succeeds if it is already gone.
    func removeContainer(id: String) async throws(ContainerRuntimeError)
    /// `nil` when no such container exists.
    func inspectContainer(id: String) async throws(ContainerRuntimeError) -> ContainerObservation?
    /// All containers, running or not, that carry every label in `labels`.
    func listContainers(labels: [String: String]) async throws(ContainerRuntimeError) -> [ContainerObservation]
    /// The last `tail` lines of stdout and stderr, interleaved as text.
    func logs(id: String, tail: Int) async throws(ContainerRuntimeError) -> String
    /// Creates the bridge network `name` unless it exists. `isolated` turns off traffic between
    /// its containers (inter-container communication), leaving their way out. Returns its id.
    func ensureNetwork(
        _ name: String, isolated: Bool, labels: [String: String]
    ) async throws(ContainerRuntimeError) -> String
    /// The container's address on `network`, if attached.
    func containerAddress(id: String, network: String) async throws(ContainerRuntimeError) -> String?
}

/// Engines that run a container with its streams attached, as `docker run -i` does.
public protocol ContainerAttacher: Sendable {
    /// Attaches to a created, not yet started container's stdin, stdout and stderr (no TTY; the
    /// container was created with `opensStdin`), then starts it. The session's output ends when the
    /// container's does; `finishInput()` closes its stdin; `exitStatus()` waits for the container to
    /// exit and returns its exit code; `resize` does nothing.
    func attachAndStart(containerID: String) async throws(ContainerRuntimeError) -> any ContainerExecSession
}

/// The engines of all nodes, by node name.
public protocol ContainerRuntimeDirectory: Sendable {
    func runtime(forNode name: String) -> (any ContainerRuntime)?
}

public struct StaticRuntimeDirectory: ContainerRuntimeDirectory {
    private let runtimes: [String: any ContainerRuntime]

    public init(_ runtimes: [String: any ContainerRuntime]) { self.runtimes = runtimes }

    public func runtime(forNode name: String) -> (any ContainerRuntime)? { runtimes[name] }
}
