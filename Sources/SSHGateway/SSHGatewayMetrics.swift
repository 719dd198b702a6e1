/// Counters the gateway reports; the composition root backs them with Prometheus.
///
/// Called from event loops and tasks alike, often once per chunk of data: implementations must be
/// cheap and thread-safe.
public protocol SSHGatewayMetrics: Sendable {
    func connectionOpened()
    func connectionClosed()
    /// One refused signed login attempt (a client trying several keys counts once per key).
    func loginRefused()
    /// A new connection refused by a limit (`SSHStartupLimits.Refusal`'s raw value).
    func connectionRefused(reason: String)
    /// Channel data from clients, in bytes.
    func bytesReceived(_ count: Int)
    /// Channel data to clients, in bytes.
    func bytesSent(_ count: Int)
}
