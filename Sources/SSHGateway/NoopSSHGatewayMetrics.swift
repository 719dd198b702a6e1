/// Metrics that go nowhere, for tests and for setups without a metrics backend.
public struct NoopSSHGatewayMetrics: SSHGatewayMetrics {
    public init() {}

    public func connectionOpened() {}
    public func connectionClosed() {}
    public func loginRefused() {}
    public func connectionRefused(reason: String) {}
    public func bytesReceived(_ count: Int) {}
    public func bytesSent(_ count: Int) {}
}
