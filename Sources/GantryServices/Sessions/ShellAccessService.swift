import Foundation
import GantryCore
import GantryPorts
import Logging

/// The SSH gateway's view of Gantry: who may sign in with which key, and which container a
/// login reaches (a running GPU session, or a running instance).
public struct ShellAccessService: ShellAccess {
    let store: any InstanceStore & SessionStore & SSHKeyStore & UserStore
    let runtimes: any ContainerRuntimeDirectory
    let sessions: SessionService
    let logger: Logger

    public init(
        store: any InstanceStore & SessionStore & SSHKeyStore & UserStore, runtimes: any ContainerRuntimeDirectory,
        sessions: SessionService, logger: Logger
    ) {
        self.store = store
        self.runtimes = runtimes
        self.sessions = sessions
        self.logger = logger
    }

    /// `alice` or `alice+target`.
    static func splitLogin(_ login: String) -> (username: String, target: String?) {
        guard let plus = login.firstIndex(of: "+") else { return (login, nil) }
        let target = String(login[login.index(after: plus)...])
        return (String(login[..<plus]), target.isEmpty ? nil : target)
    }

    public func authenticate(login: String, publicKeyBlob: [UInt8]) async -> ShellLoginDecision {
        let fingerprint = SSHKeyService.fingerprint(of: publicKeyBlob)
        let (username, target) = Self.splitLogin(login)
        guard Identifiers.isValidUsername(username) else {
            return .refused(reason: "not a valid username", fingerprint: fingerprint)
        }
        do {
            guard let user = try await store.user(usernameOrEmail: username) else {
                return .refused(reason: "no such user", fingerprint: fingerprint)
            }
            guard user.isActive else { return .refused(reason: "user is deactivated", fingerprint: fingerprint) }
            guard let key = try await store.sshKey(ownerID: user.id, fingerprint: fingerprint) else {
                return .refused(reason: "key is not registered to this user", fingerprint: fingerprint)
            }
            try? await store.markSSHKeyUsed(id: key.id, at: Date())
            return .accepted(
                ShellGrant(
                    userID: user.id, username: user.username, requestedTarget: target, keyFingerprint: fingerprint))
        } catch {
            return .refused(reason: "database error: \(error)", fingerprint: fingerprint)
        }
    }

    public func resolveTarget(for grant: ShellGrant) async -> ShellTargetResolution {
        do {
            // Re-check: the user may have been deactivated since the key exchange.
            guard let user = try await store.user(id: grant.userID), user.isActive else {
                return .unavailable(message: "gantry: your account is deactivated.")
            }
            let targets = try await runningTargets(of: user)
            if let wanted = grant.requestedTarget?.lowercased() {
                let matches = targets.filter { target in
                    target.name == wanted
                        || (wanted.count >= 4 && target.id.uuidString.lowercased().hasPrefix(wanted))
                }
                if matches.count == 1, let match = matches.first { return .target(match) }
                if matches.count > 1 {
                    return .unavailable(
                        message: "gantry: '\(wanted)' matches several targets; " + choices(targets, user))
                }
                return .unavailable(
                    message: "gantry: \(user.username) has no running session or instance '\(wanted)'. "
                        + (targets.isEmpty ? "" : choices(targets, user)))
            }
            let running = targets.filter { $0.kind == .session }
            if running.count == 1, let only = running.first { return .target(only) }
            if targets.isEmpty {
                return .unavailable(
                    message:
                        "gantry: \(user.username) has no running session. Ask an admin to create one, or run: gantry sessions create"
                )
            }
            let lead =
                running.isEmpty
                ? "\(user.username) has no running session. " : "\(user.username) has several running sessions. "
            return .unavailable(message: "gantry: " + lead + choices(targets, user))
        } catch {
            logger.error("resolving ssh target failed", metadata: ["user": "\(grant.username)", "error": "\(error)"])
            return .unavailable(message: "gantry: temporarily unable to look up your sessions; try again.")
        }
    }

    private func choices(_ targets: [ShellTarget], _ user: User) -> String {
        let lines = targets.map {
            "  ssh \(user.username)+\($0.name)@…  (\($0.kind.rawValue) \($0.id.uuidString.prefix(8).lowercased()))"
        }
        return "Pick one with user+name:\n" + lines.joined(separator: "\n")
    }

    func runningTargets(of user: User) async throws -> [ShellTarget] {
        var targets: [ShellTarget] = []
        for session in try await store.allSessions(ownerID: user.id, state: .running) {
            guard let container = session.containerID else { continue }
            targets.append(
                ShellTarget(
                    kind: .session, id: session.id, name: session.name, ownerID: user.id,
                    ownerUsername: user.username, node: session.node, containerID: container))
        }
        var skip = 0
        while true {
            let page = try await store.listInstances(ownerID: user.id, skip: skip, limit: 500)
            for instance in page.items where instance.state == .running {
                guard let container = instance.containerID else { continue }
                targets.append(
                    ShellTarget(
                        kind: .instance, id: instance.id, name: instance.name, ownerID: user.id,
                        ownerUsername: user.username, node: instance.node, containerID: container))
            }
            skip += page.items.count
            if page.items.isEmpty || skip >= page.total { break }
        }
        return targets
    }

    public func exec(_ command: ExecCommand, on target: ShellTarget) async throws -> any ContainerExecSession {
        guard let executor = runtimes.runtime(forNode: target.node)?.capabilities.exec else {
            throw GantryError.unavailable("node '\(target.node)' cannot run processes in containers")
        }
        var command = command
        // The gateway never chooses the container: it is the resolved target's, always.
        command.containerID = target.containerID
        if target.kind == .session, command.workingDirectory == nil { command.workingDirectory = "/workspace" }
        return try await executor.exec(command)
    }

    public func revokedUsers(among userIDs: Set<UUID>) async -> Set<UUID> {
        var revoked: Set<UUID> = []
        for id in userIDs {
            do {
                if let user = try await store.user(id: id), user.isActive { continue }
                revoked.insert(id)
            } catch {
                logger.warning("checking a signed-in user failed", metadata: ["user_id": "\(id)", "error": "\(error)"])
            }
        }
        return revoked
    }

    public func keepAlive(_ target: ShellTarget) async {
        guard target.kind == .session else { return }
        do {
            _ = try await sessions.keepAlive(sessionID: target.id)
        } catch {
            logger.warning(
                "keeping the session alive failed", metadata: ["session": "\(target.id)", "error": "\(error)"])
        }
    }
}
