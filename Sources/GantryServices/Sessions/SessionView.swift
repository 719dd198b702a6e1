import Foundation
import GantryCore
import GantryPorts

/// A session with what its API shape needs beyond the row: the owner's username (the SSH user)
/// and the command that reaches it.
public struct SessionView: Sendable, Equatable {
    public var session: GPUSession
    public var username: String
    public var sshHost: String
    public var sshPort: Int
    public var sshCommand: String
}

extension SessionService {
    /// Views for `sessions`; the ssh command names the session (`alice+name`) only when its
    /// owner has several running, since plain `alice@` reaches a lone one.
    public func views(_ sessions: [GPUSession]) async throws -> [SessionView] {
        var usernames: [UUID: String] = [:]
        var runningCounts: [UUID: Int] = [:]
        let active = try await store.activeSessions()
        for session in active where session.state == .running { runningCounts[session.ownerID, default: 0] += 1 }
        var result: [SessionView] = []
        for session in sessions {
            if usernames[session.ownerID] == nil {
                usernames[session.ownerID] = try await store.user(id: session.ownerID)?.username ?? "unknown"
            }
            let username = usernames[session.ownerID] ?? "unknown"
            result.append(
                SessionView(
                    session: session, username: username, sshHost: settings.sshHost, sshPort: settings.sshPort,
                    sshCommand: sshCommand(
                        for: session, username: username, several: (runningCounts[session.ownerID] ?? 0) > 1)))
        }
        return result
    }

    public func view(_ session: GPUSession) async throws -> SessionView {
        guard let view = try await views([session]).first else {
            throw GantryError(.internalFailure, code: "internal_error", detail: "session view missing")
        }
        return view
    }
}
