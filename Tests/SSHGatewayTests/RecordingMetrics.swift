import SSHGateway
import Synchronization

/// Counts what the gateway reports.
final class RecordingMetrics: SSHGatewayMetrics {
    struct Counts: Equatable {
        var opened = 0
        var closed = 0
        var refused = 0
        var connectionsRefused: [String] = []
        var bytesIn = 0
        var bytesOut = 0
    }

    private let counts = Mutex(Counts())

    var snapshot: Counts {
        counts.withLock { $0 }
    }

    func connectionOpened() { counts.withLock { $0.opened += 1 } }
    func connectionClosed() { counts.withLock { $0.closed += 1 } }
    func loginRefused() { counts.withLock { $0.refused += 1 } }
    func connectionRefused(reason: String) { counts.withLock { $0.connectionsRefused.append(reason) } }
    func bytesReceived(_ count: Int) { counts.withLock { $0.bytesIn += count } }
    func bytesSent(_ count: Int) { counts.withLock { $0.bytesOut += count } }
}
