import Foundation

/// Which server to talk to and with which token, resolved from flags, environment and the saved login in
/// that order.
struct ConnectionSettings: Equatable, Sendable {
    static let defaultServer = "http://127.0.0.1:8080"

    var server: String
    var token: String?

    static func resolve(
        serverOption: String?,
        tokenOption: String?,
        environment: [String: String],
        config: CLIConfig?
    ) -> ConnectionSettings {
        func nonEmpty(_ value: String?) -> String? {
            guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                return nil
            }
            return value
        }
        let server = normalize(
            nonEmpty(serverOption) ?? nonEmpty(environment["GANTRY_URL"]) ?? nonEmpty(config?.server)
                ?? defaultServer)
        // The saved token belongs to the server it was issued by; never send it anywhere else.
        let savedToken = config.flatMap { normalize($0.server) == server ? $0.token : nil }
        let token = nonEmpty(tokenOption) ?? nonEmpty(environment["GANTRY_TOKEN"]) ?? nonEmpty(savedToken)
        return ConnectionSettings(server: server, token: token)
    }

    /// `host:port` gets `http://`, and trailing slashes go, so the same server always compares equal.
    static func normalize(_ server: String) -> String {
        var server = server.trimmingCharacters(in: .whitespacesAndNewlines)
        if !server.contains("://") { server = "http://" + server }
        while server.hasSuffix("/") { server.removeLast() }
        return server
    }

    /// The base URL for the generated client: http(s) with a host, or a clear error.
    static func url(for server: String) throws -> URL {
        guard let url = URL(string: server), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw CLIError.invalidInput("invalid server URL \"\(server)\": expected http(s)://host[:port]")
        }
        return url
    }
}
