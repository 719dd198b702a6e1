import Foundation
import GantryCore

/// The knobs of GPU sessions and the SSH gateway, taken from configuration.
public struct SessionSettings: Sendable {
    public var defaultImage: String
    public var defaultCPU: Double
    public var defaultMemoryMB: Int
    public var defaultTTLMinutes: Int
    public var maxTTLMinutes: Int
    public var workspaceRoot: String
    public var network: String
    public var gpuAttach: GPUAttachMode
    /// Users may create sessions for themselves (admins always may, for anyone).
    public var selfService: Bool
    /// The first POSIX uid given to a session user; each user keeps theirs.
    public var firstPosixUID: Int
    /// Host and port shown in `ssh_host`, `ssh_port` and the ssh command.
    public var sshHost: String
    public var sshPort: Int
    /// While a user is connected, `expires_at` is kept at least this far ahead.
    public var sshTTLGrace: TimeInterval
    /// A session still `creating` after this long is failed (a server died mid-creation).
    public var creationTimeout: TimeInterval
    /// How long `POST /api/v1/sessions` waits for the reconciler to have the container running.
    public var creationWait: Duration
    /// Registries ordinary users may name images from beyond the catalog (`docker.io` for
    /// Docker Hub's short names); empty: the catalog and the default image only. Admins may
    /// use any valid reference.
    public var userImageRegistries: Set<String>

    public init(
        defaultImage: String, defaultCPU: Double = 2, defaultMemoryMB: Int = 4096, defaultTTLMinutes: Int = 60,
        maxTTLMinutes: Int = 7 * 24 * 60, workspaceRoot: String, network: String = "gantry-sessions",
        gpuAttach: GPUAttachMode = .deviceRequest, selfService: Bool = true, firstPosixUID: Int = 20000,
        sshHost: String, sshPort: Int = 2222, sshTTLGrace: TimeInterval = 600, creationTimeout: TimeInterval = 900,
        creationWait: Duration = .seconds(120), userImageRegistries: Set<String> = []
    ) {
        self.defaultImage = defaultImage
        self.defaultCPU = defaultCPU
        self.defaultMemoryMB = defaultMemoryMB
        self.defaultTTLMinutes = defaultTTLMinutes
        self.maxTTLMinutes = maxTTLMinutes
        self.workspaceRoot = workspaceRoot
        self.network = network
        self.gpuAttach = gpuAttach
        self.selfService = selfService
        self.firstPosixUID = firstPosixUID
        self.sshHost = sshHost
        self.sshPort = sshPort
        self.sshTTLGrace = sshTTLGrace
        self.creationTimeout = creationTimeout
        self.creationWait = creationWait
        self.userImageRegistries = userImageRegistries
    }
}
