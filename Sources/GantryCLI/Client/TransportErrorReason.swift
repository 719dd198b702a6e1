/// A short reason for a failed connection. NIO and AsyncHTTPClient describe errors with type names and errno
/// details; people need "connection refused". Works on the description so the CLI does not depend on NIO's
/// error types directly.
enum TransportErrorReason {
    private static let knownReasons: [(needle: String, reason: String)] = [
        ("Connection refused", "connection refused"),
        ("connectTimeout", "connection timed out"),
        ("Connection timed out", "connection timed out"),
        ("No route to host", "no route to host"),
        ("Network is unreachable", "network is unreachable"),
        ("Connection reset by peer", "connection reset by peer"),
        ("remoteConnectionClosed", "the server closed the connection"),
        ("readTimeout", "the server did not answer in time"),
        ("deadlineExceeded", "the server did not answer in time"),
        ("DNS error", "cannot resolve the host name"),
        ("NXDOMAIN", "cannot resolve the host name"),
        ("handshakeFailed", "TLS handshake failed"),
        ("tlsHandshakeTimeout", "TLS handshake timed out"),
    ]

    static func describe(_ error: any Error) -> String {
        describe(String(describing: error))
    }

    static func describe(_ description: String) -> String {
        for (needle, reason) in knownReasons where description.contains(needle) {
            return reason
        }
        return description
    }
}
