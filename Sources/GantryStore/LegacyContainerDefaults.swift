import GantryCore

/// The configuration that built containers before templates were recorded; the migration that
/// records them for existing rows needs it (see `AddContainerTemplates`).
public struct LegacyContainerDefaults: Sendable {
    public var pidsLimit: Int
    public var hostBindIP: String
    public var sessionNetwork: String
    public var sessionGPUAttach: GPUAttachMode

    public init(
        pidsLimit: Int = 512, hostBindIP: String = "0.0.0.0", sessionNetwork: String = "gantry-sessions",
        sessionGPUAttach: GPUAttachMode = .deviceRequest
    ) {
        self.pidsLimit = pidsLimit
        self.hostBindIP = hostBindIP
        self.sessionNetwork = sessionNetwork
        self.sessionGPUAttach = sessionGPUAttach
    }
}
