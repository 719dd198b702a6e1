/// What Gantry asks an engine to run: the engine spec of one container.
public struct ContainerSpec: Sendable, Equatable {
    public var name: String
    public var image: String
    public var command: [String]?
    public var environment: [String]
    public var labels: [String: String]
    public var cpu: Double
    public var memoryMB: Int
    public var pidsLimit: Int
    /// Capabilities added back after `CapDrop: ["ALL"]`.
    public var capabilities: [String]
    public var containerPort: Int
    /// Address the published port binds to on the host (`0.0.0.0` for all).
    public var hostBindIP: String
    /// 0 publishes no port.
    public var hostPort: Int
    public var mounts: [BindMount]
    /// A user-defined network to attach to instead of the default bridge.
    public var network: String?
    /// `uid:gid` to run as; the image's user when nil.
    public var user: String?
    public var workingDirectory: String?
    /// GPU device UUIDs given through the engine's device requests (`--gpus device=…`).
    public var gpuDeviceIDs: [String]
    /// Any this many GPUs (`--gpus N`), when no device is named.
    public var gpuCount: Int
    /// Runs a tiny init as PID 1 that reaps the orphans of exec'd processes.
    public var runsInit: Bool
    public var hostname: String?
    /// Keeps stdin open for one attach (`docker run -i`): it closes when the attached client closes it.
    public var opensStdin: Bool
    public var readOnlyRootFilesystem: Bool
    /// Mount point → mount options (e.g. `/tmp` → `rw,noexec,nosuid,size=64m`).
    public var tmpfs: [String: String]

    public init(
        name: String, image: String, command: [String]? = nil, environment: [String] = [],
        labels: [String: String], cpu: Double, memoryMB: Int, pidsLimit: Int = 512, capabilities: [String] = [],
        containerPort: Int, hostBindIP: String = "0.0.0.0", hostPort: Int, mounts: [BindMount] = [],
        network: String? = nil, user: String? = nil, workingDirectory: String? = nil, gpuDeviceIDs: [String] = [],
        runsInit: Bool = false, hostname: String? = nil, opensStdin: Bool = false, readOnlyRootFilesystem: Bool = false,
        tmpfs: [String: String] = [:], gpuCount: Int = 0
    ) {
        self.gpuCount = gpuCount
        self.opensStdin = opensStdin
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.tmpfs = tmpfs
        self.mounts = mounts
        self.network = network
        self.user = user
        self.workingDirectory = workingDirectory
        self.gpuDeviceIDs = gpuDeviceIDs
        self.runsInit = runsInit
        self.hostname = hostname
        self.name = name
        self.image = image
        self.command = command
        self.environment = environment
        self.labels = labels
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.pidsLimit = pidsLimit
        self.capabilities = capabilities
        self.containerPort = containerPort
        self.hostBindIP = hostBindIP
        self.hostPort = hostPort
    }
}
