import GantryCore

/// The knobs of the instance use cases, taken from configuration.
public struct InstanceSettings: Sendable {
    public var portRange: PortRange
    public var defaultQuota: QuotaLimits
    /// Written on every container as `gantry.installation`, so installations (and parallel test
    /// runs) sharing an engine never touch each other's containers.
    public var installationID: String
    public var pidsLimit: Int
    public var hostBindIP: String
    public var stopTimeoutSeconds: Int

    public init(
        portRange: PortRange = PortRange(lowerBound: 8000, upperBound: 8999),
        defaultQuota: QuotaLimits = .seedDefault, installationID: String, pidsLimit: Int = 512,
        hostBindIP: String = "0.0.0.0", stopTimeoutSeconds: Int = 10
    ) {
        self.portRange = portRange
        self.defaultQuota = defaultQuota
        self.installationID = installationID
        self.pidsLimit = pidsLimit
        self.hostBindIP = hostBindIP
        self.stopTimeoutSeconds = stopTimeoutSeconds
    }
}
