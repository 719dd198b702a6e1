import AsyncHTTPClient
import Foundation

/// Where a Docker Engine listens: its local unix socket, or a plain-HTTP TCP endpoint of a remote engine.
public enum DockerEngineHost: Sendable, Equatable, CustomStringConvertible {
    case unixSocket(path: String)
    case tcp(host: String, port: Int)

    /// The port a remote engine listens on without TLS by convention.
    public static let defaultTCPPort = 2375

    /// Reads `unix:///var/run/docker.sock`, `tcp://host:port` or `http://host:port` (the `DOCKER_HOST` forms
    /// Gantry supports). TLS endpoints are refused rather than silently spoken to in clear text.
    public static func parse(_ text: String) throws(DockerEngineHostError) -> DockerEngineHost {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("unix://") {
            let path = String(trimmed.dropFirst("unix://".count))
            guard path.hasPrefix("/") else {
                throw DockerEngineHostError(host: text, reason: "the socket path must be absolute")
            }
            // AsyncHTTPClient carries the socket path in the URL host; make sure it can.
            guard URL(httpURLWithSocketPath: path, uri: "/_ping") != nil else {
                throw DockerEngineHostError(host: text, reason: "the socket path cannot be used in a URL")
            }
            return .unixSocket(path: path)
        }
        for scheme in ["tcp://", "http://"] where trimmed.hasPrefix(scheme) {
            return try parseTCP(String(trimmed.dropFirst(scheme.count)), original: text)
        }
        throw DockerEngineHostError(
            host: text, reason: "expected unix:///path/to/docker.sock, tcp://host:port or http://host:port"
        )
    }

    private static func parseTCP(_ authority: String, original: String) throws(DockerEngineHostError) -> Self {
        var rest = authority
        if rest.hasSuffix("/") { rest.removeLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("@") else {
            throw DockerEngineHostError(host: original, reason: "expected host:port with no path")
        }
        let host: String
        var portText: String?
        if rest.hasPrefix("[") {
            // Bracketed IPv6 literal: [::1]:2375
            guard let close = rest.firstIndex(of: "]") else {
                throw DockerEngineHostError(host: original, reason: "unterminated IPv6 address")
            }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw DockerEngineHostError(host: original, reason: "unexpected text after the IPv6 address")
                }
                portText = String(after.dropFirst())
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            portText = String(rest[rest.index(after: colon)...])
        } else {
            host = rest
        }
        guard !host.isEmpty else {
            throw DockerEngineHostError(host: original, reason: "the host name is empty")
        }
        var port = defaultTCPPort
        if let portText {
            guard let parsed = Int(portText), (1...65_535).contains(parsed) else {
                throw DockerEngineHostError(host: original, reason: "the port must be a number from 1 to 65535")
            }
            port = parsed
        }
        return .tcp(host: host, port: port)
    }

    public var description: String {
        switch self {
        case .unixSocket(let path): "unix://\(path)"
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }

    /// The absolute URL AsyncHTTPClient needs for `pathAndQuery` on this engine.
    func url(for pathAndQuery: String) -> String? {
        switch self {
        case .unixSocket(let path):
            URL(httpURLWithSocketPath: path, uri: pathAndQuery)?.absoluteString
        case .tcp(let host, let port):
            host.contains(":") ? "http://[\(host)]:\(port)\(pathAndQuery)" : "http://\(host):\(port)\(pathAndQuery)"
        }
    }
}

/// A Docker host string Gantry cannot use.
public struct DockerEngineHostError: Error, Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var reason: String

    public init(host: String, reason: String) {
        self.host = host
        self.reason = reason
    }

    public var description: String { "invalid Docker host \"\(host)\": \(reason)" }
}
