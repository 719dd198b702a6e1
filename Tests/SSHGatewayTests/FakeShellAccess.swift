import Foundation
import GantryPorts
import GantryServices
import SSHGateway
import Synchronization

/// `ShellAccess` for tests: keys registered per login, one fixed target (or a fixed refusal), and
/// commands run on this machine. Records what the gateway asked for.
final class FakeShellAccess: ShellAccess {
    enum ExecBehavior: Sendable {
        /// Run the command locally.
        case local
        /// Fail to start, as when the engine is unreachable.
        case fail
        /// Start, then lose the process after a moment, as when the container is removed.
        case vanish
    }

    struct Recorded {
        var execs: [ExecCommand] = []
        var sessions: [LocalProcessExecSession] = []
        var vanishing: [VanishingExecSession] = []
        var keepAlives: [ShellTarget] = []
        var authentications: [(login: String, blob: [UInt8])] = []
    }

    static let target = ShellTarget(
        kind: .session, id: UUID(), name: "alice-gpu", ownerID: UUID(), ownerUsername: "alice", node: "local",
        containerID: "c0ffee")

    private let keys: [String: [[UInt8]]]
    /// One fixed user id per login, so a test can revoke a login's access.
    private let userIDs: [String: UUID]
    private let revoked = Mutex<Set<UUID>>([])
    private let resolution: ShellTargetResolution
    private let behavior: ExecBehavior
    private let recorded = Mutex(Recorded())

    init(
        keys: [String: [[UInt8]]], resolution: ShellTargetResolution = .target(FakeShellAccess.target),
        behavior: ExecBehavior = .local
    ) {
        self.keys = keys
        self.userIDs = Dictionary(uniqueKeysWithValues: keys.keys.map { ($0, UUID()) })
        self.resolution = resolution
        self.behavior = behavior
    }

    var snapshot: Recorded {
        recorded.withLock { $0 }
    }

    func authenticate(login: String, publicKeyBlob: [UInt8]) async -> ShellLoginDecision {
        recorded.withLock { $0.authentications.append((login, publicKeyBlob)) }
        let fingerprint = SSHKeyFingerprint.sha256(blob: publicKeyBlob)
        guard keys[login, default: []].contains(publicKeyBlob) else {
            return .refused(reason: "key not registered to \(login)", fingerprint: fingerprint)
        }
        return .accepted(
            ShellGrant(
                userID: userIDs[login] ?? UUID(), username: login, requestedTarget: nil, keyFingerprint: fingerprint))
    }

    func resolveTarget(for grant: ShellGrant) async -> ShellTargetResolution {
        resolution
    }

    func exec(_ command: ExecCommand, on target: ShellTarget) async throws -> any ContainerExecSession {
        recorded.withLock { $0.execs.append(command) }
        switch behavior {
        case .local:
            let session = try await LocalProcessExecSession.start(argv: command.argv, environment: command.environment)
            recorded.withLock { $0.sessions.append(session) }
            return session
        case .fail:
            throw ContainerRuntimeError.unreachable("engine down")
        case .vanish:
            let session = VanishingExecSession()
            recorded.withLock { $0.vanishing.append(session) }
            return session
        }
    }

    func keepAlive(_ target: ShellTarget) async {
        recorded.withLock { $0.keepAlives.append(target) }
    }

    /// Takes `login`'s access away, as deactivating the account does.
    func revoke(_ login: String) {
        guard let id = userIDs[login] else { return }
        revoked.withLock { _ = $0.insert(id) }
    }

    func revokedUsers(among userIDs: Set<UUID>) async -> Set<UUID> {
        revoked.withLock { $0.intersection(userIDs) }
    }
}
