import Foundation

/// Everything about a workload's container that is decided once, at admission, and recorded in
/// full: a later change to the image catalog or to the settings never changes a container that
/// already exists or is re-created. Stored as JSON in a database column, so its keys are
/// explicit and a document missing a required key fails to decode instead of taking a default.
public struct ContainerTemplate: Sendable, Equatable, Codable {
    public var containerName: String
    public var imageReference: String
    /// The image's own command when nil.
    public var command: [String]?
    /// `KEY=value` entries.
    public var environment: [String]
    public var mounts: [BindMount]
    /// The port the workload listens on inside the container; 0 publishes nothing.
    public var containerPort: Int
    /// Address the published port binds to on the host (`0.0.0.0` for all).
    public var hostBindIP: String
    /// A network name (`none` for no network); the engine's default bridge when nil.
    public var network: String?
    /// The executor must make sure `network` exists with inter-container traffic off before
    /// creating the container (sessions' network).
    public var isolatedNetwork: Bool
    /// `uid:gid` to run as; the image's user when nil.
    public var user: String?
    public var workingDirectory: String?
    public var hostname: String?
    /// A tiny init as PID 1 reaps the orphans of exec'd processes.
    public var runsInit: Bool
    /// Keeps stdin open for one attach (a job's input).
    public var opensStdin: Bool
    public var readOnlyRootFilesystem: Bool
    /// Mount point → mount options.
    public var tmpfs: [String: String]
    /// Capabilities added back after all are dropped.
    public var capabilities: [String]
    public var pidsLimit: Int
    /// How the workload's GPU devices, if it holds any, reach the container.
    public var gpuAttach: GPUAttachMode
    /// Any this many GPUs (`--gpus N`), used when the workload names no device.
    public var gpuCount: Int
    /// Labels beyond the standard ones (for example `gantry.job.attempt`); the standard ones win.
    public var labels: [String: String]

    public init(
        containerName: String, imageReference: String, command: [String]? = nil, environment: [String] = [],
        mounts: [BindMount] = [], containerPort: Int = 0, hostBindIP: String = "0.0.0.0", network: String? = nil,
        isolatedNetwork: Bool = false, user: String? = nil, workingDirectory: String? = nil, hostname: String? = nil,
        runsInit: Bool = false, opensStdin: Bool = false, readOnlyRootFilesystem: Bool = false,
        tmpfs: [String: String] = [:], capabilities: [String] = [], pidsLimit: Int,
        gpuAttach: GPUAttachMode = .deviceRequest, gpuCount: Int = 0, labels: [String: String] = [:]
    ) {
        self.containerName = containerName
        self.imageReference = imageReference
        self.command = command
        self.environment = environment
        self.mounts = mounts
        self.containerPort = containerPort
        self.hostBindIP = hostBindIP
        self.network = network
        self.isolatedNetwork = isolatedNetwork
        self.user = user
        self.workingDirectory = workingDirectory
        self.hostname = hostname
        self.runsInit = runsInit
        self.opensStdin = opensStdin
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.tmpfs = tmpfs
        self.capabilities = capabilities
        self.pidsLimit = pidsLimit
        self.gpuAttach = gpuAttach
        self.gpuCount = gpuCount
        self.labels = labels
    }

    enum CodingKeys: String, CodingKey {
        case containerName = "container_name"
        case imageReference = "image_reference"
        case command
        case environment
        case mounts
        case containerPort = "container_port"
        case hostBindIP = "host_bind_ip"
        case network
        case isolatedNetwork = "isolated_network"
        case user
        case workingDirectory = "working_directory"
        case hostname
        case runsInit = "runs_init"
        case opensStdin = "opens_stdin"
        case readOnlyRootFilesystem = "read_only_root_filesystem"
        case tmpfs
        case capabilities
        case pidsLimit = "pids_limit"
        case gpuAttach = "gpu_attach"
        case gpuCount = "gpu_count"
        case labels
    }
}

extension ContainerTemplate {
    /// An instance's container: the catalog image's reference, command, port and capabilities as
    /// they were at launch. Instances get no GPU device request (they never have).
    public static func forInstance(
        id: UUID, name: String, image: CatalogImage, pidsLimit: Int, hostBindIP: String
    ) -> ContainerTemplate {
        ContainerTemplate(
            containerName: "gantry-\(name)-\(shortID(id))", imageReference: image.reference, command: image.command,
            containerPort: image.port, hostBindIP: hostBindIP, capabilities: image.capabilities, pidsLimit: pidsLimit,
            gpuAttach: .deviceRequest, gpuCount: 0)
    }

    /// The command of a session container: a PID 1 that idles, since people come in through exec.
    /// It works with any image that carries a shell.
    public static let sessionIdleCommand = [
        "/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done",
    ]

    /// A GPU session's container: its owner's workspace at `/workspace`, run as the owner's POSIX
    /// uid on the isolated sessions network. The GPU device is not here: it is the workload's, and
    /// the spec builder attaches it the way `gpuAttach` says.
    public static func forSession(
        id: UUID, name: String, ownerUsername: String, imageReference: String, workspacePath: String,
        posixUID: Int, network: String, gpuAttach: GPUAttachMode, pidsLimit: Int
    ) -> ContainerTemplate {
        ContainerTemplate(
            containerName: "gantry-session-\(ownerUsername)-\(name)-\(shortID(id))", imageReference: imageReference,
            command: sessionIdleCommand,
            environment: [
                "HOME=/workspace", "USER=\(ownerUsername)", "LOGNAME=\(ownerUsername)",
                "GANTRY_SESSION_ID=\(id.uuidString.lowercased())", "GANTRY_SESSION_NAME=\(name)",
            ],
            mounts: [BindMount(source: workspacePath, target: "/workspace")], containerPort: 0, network: network,
            isolatedNetwork: true, user: "\(posixUID):\(posixUID)", workingDirectory: "/workspace", hostname: name,
            runsInit: true, capabilities: [], pidsLimit: pidsLimit, gpuAttach: gpuAttach, gpuCount: 0)
    }

    /// One attempt of a job (seed 003's plugin contract): the input as argv[1] or on stdin, no
    /// network unless the plugin asks for one, a read-only root with a small `/tmp`. The name's
    /// random suffix is the caller's, so this stays pure; it keeps a re-run attempt's name free.
    public static func forJobAttempt(
        job: Job, attempt: Int, plugin: Plugin, containerUser: String?, pidsLimit: Int, tmpfsSizeMB: Int,
        nameSuffix: String
    ) -> ContainerTemplate {
        ContainerTemplate(
            containerName: "gantry-job-\(shortID(job.id))-\(attempt)-\(nameSuffix)",
            imageReference: plugin.imageReference,
            command: plugin.inputMode == .argv ? [job.input.serializedString()] : nil, containerPort: 0,
            network: plugin.network ? nil : "none", user: containerUser, opensStdin: plugin.inputMode == .stdin,
            readOnlyRootFilesystem: true, tmpfs: ["/tmp": "rw,nosuid,nodev,size=\(tmpfsSizeMB)m"], capabilities: [],
            pidsLimit: pidsLimit, gpuAttach: .deviceRequest, gpuCount: plugin.resources.gpus,
            labels: [jobAttemptLabel: String(attempt)])
    }

    /// The label naming the attempt a job container runs.
    public static let jobAttemptLabel = "gantry.job.attempt"

    /// The first eight hex digits of an id, lower case: what container names carry.
    static func shortID(_ id: UUID) -> String { id.uuidString.prefix(8).lowercased() }
}
