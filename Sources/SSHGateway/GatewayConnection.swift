import Foundation
import GantryServices
import Logging
import NIOCore
import Synchronization

/// What the gateway knows about one TCP connection: who signed in, where their sessions go, and
/// how much moved. Shared by the connection's auth delegate, its session channels and its
/// timeout handler, on the event loop and in tasks.
final class GatewayConnection: Sendable {
    private struct State {
        var login: String?
        var grant: ShellGrant?
        var target: ShellTarget?
        var keepAlives: [UUID: Task<Void, Never>] = [:]
        var closed = false
    }

    private let baseLogger: Logger
    private let metrics: any SSHGatewayMetrics
    private let openedAt = ContinuousClock.now
    private let lastActivityNanoseconds: Atomic<UInt64>
    private let bytesIn = Atomic<Int>(0)
    private let bytesOut = Atomic<Int>(0)
    private let timedOutBeforeLogin = Atomic<Bool>(false)
    private let state = Mutex(State())

    init(id: Int, remote: String, logger: Logger, metrics: any SSHGatewayMetrics) {
        var logger = logger
        logger[metadataKey: "ssh.connection"] = "\(id)"
        logger[metadataKey: "ssh.remote"] = "\(remote)"
        self.baseLogger = logger
        self.metrics = metrics
        self.lastActivityNanoseconds = Atomic(NIODeadline.now().uptimeNanoseconds)
    }

    /// The connection's logger, with the user and target once known.
    var logger: Logger {
        var logger = baseLogger
        state.withLock { state in
            if let login = state.login {
                logger[metadataKey: "ssh.user"] = "\(login)"
            }
            if let grant = state.grant {
                logger[metadataKey: "ssh.key_fingerprint"] = "\(grant.keyFingerprint)"
            }
            if let target = state.target {
                logger[metadataKey: "ssh.target"] = "\(target.name)"
                logger[metadataKey: "ssh.container"] = "\(target.containerID)"
            }
        }
        return logger
    }

    /// Whether the connection was closed for not signing in in time: its address is penalised.
    var loginTimedOut: Bool {
        timedOutBeforeLogin.load(ordering: .relaxed)
    }

    func markLoginTimedOut() {
        timedOutBeforeLogin.store(true, ordering: .relaxed)
    }

    /// The grant of the login that succeeded, once one has.
    var grant: ShellGrant? {
        state.withLock { $0.grant }
    }

    func loginAccepted(_ grant: ShellGrant, login: String, fingerprint: String) {
        state.withLock { state in
            state.login = login
            state.grant = grant
        }
        // The idle clock starts at sign-in, however long the handshake took.
        touch()
        baseLogger.info(
            "ssh login accepted",
            metadata: [
                "ssh.user": "\(login)", "ssh.key_fingerprint": "\(fingerprint)",
                "gantry.user_id": "\(grant.userID)",
            ])
    }

    func loginRefused(login: String, fingerprint: String, reason: String) {
        metrics.loginRefused()
        baseLogger.notice(
            "ssh login refused",
            metadata: ["ssh.user": "\(login)", "ssh.key_fingerprint": "\(fingerprint)", "reason": "\(reason)"])
    }

    /// Records that a session reached `target` and keeps the target alive until the connection
    /// closes: `keepAlive` at once, then every `interval`.
    func keepTargetAlive(_ target: ShellTarget, access: any ShellAccess, every interval: Duration) {
        let isNew = state.withLock { state -> Bool in
            state.target = target
            guard !state.closed, state.keepAlives[target.id] == nil else {
                return false
            }
            state.keepAlives[target.id] = Task {
                while !Task.isCancelled {
                    await access.keepAlive(target)
                    try? await Task.sleep(for: interval)
                }
            }
            return true
        }
        if isNew {
            logger.info(
                "ssh target resolved",
                metadata: ["ssh.target_kind": "\(target.kind.rawValue)", "ssh.node": "\(target.node)"])
        }
    }

    // MARK: Traffic

    func received(_ count: Int) {
        bytesIn.add(count, ordering: .relaxed)
        metrics.bytesReceived(count)
        touch()
    }

    func sent(_ count: Int) {
        bytesOut.add(count, ordering: .relaxed)
        metrics.bytesSent(count)
        touch()
    }

    /// When channel data or a request last moved either way (or the login succeeded).
    var lastActivity: NIODeadline {
        NIODeadline.uptimeNanoseconds(lastActivityNanoseconds.load(ordering: .relaxed))
    }

    /// Notes activity that is not data, such as a channel request.
    func touch() {
        lastActivityNanoseconds.store(NIODeadline.now().uptimeNanoseconds, ordering: .relaxed)
    }

    // MARK: End

    /// Called once, when the TCP connection has closed.
    func closed() {
        let (keepAlives, authenticated) = state.withLock { state in
            state.closed = true
            defer { state.keepAlives = [:] }
            return (Array(state.keepAlives.values), state.grant != nil)
        }
        for task in keepAlives {
            task.cancel()
        }
        metrics.connectionClosed()
        let elapsed = (ContinuousClock.now - openedAt).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        let metadata: Logger.Metadata = [
            "duration_s": "\((seconds * 1000).rounded() / 1000)",
            "bytes_in": "\(bytesIn.load(ordering: .relaxed))",
            "bytes_out": "\(bytesOut.load(ordering: .relaxed))",
        ]
        // Unauthenticated connections are mostly scanners; keep them out of the info log.
        if authenticated {
            logger.info("ssh connection closed", metadata: metadata)
        } else {
            logger.debug("ssh connection closed", metadata: metadata)
        }
    }
}
