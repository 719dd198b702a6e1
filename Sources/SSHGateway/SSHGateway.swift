import GantryServices
import Logging
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The SSH server users reach their containers through: `ssh -p 2222 alice@host` authenticates
/// alice's key, asks `ShellAccess` where alice goes, and bridges the session into a process
/// started there, with no sshd in the image.
///
/// Either `start()` and later `shutdown()`, or `run()`, which serves until its task is cancelled.
public final class SSHGateway: Sendable {
    public enum GatewayError: Error, Equatable {
        /// `start()` after an earlier `start()` or `shutdown()`.
        case alreadyStarted
        /// A new connection was refused by a connection limit.
        case refused(SSHStartupLimits.Refusal)
    }

    private enum Listener {
        case idle
        case listening(any Channel)
        case shutDown
    }

    private let configuration: SSHGatewayConfiguration
    private let access: any ShellAccess
    private let metrics: any SSHGatewayMetrics
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let registry: ConnectionRegistry
    private let listener = Mutex(Listener.idle)
    private let recheck = Mutex<Task<Void, Never>?>(nil)

    public init(
        configuration: SSHGatewayConfiguration,
        access: any ShellAccess,
        metrics: any SSHGatewayMetrics = NoopSSHGatewayMetrics(),
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.access = access
        self.metrics = metrics
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.registry = ConnectionRegistry(limit: configuration.maxConnections, startups: configuration.startups)
    }

    /// Starts listening and returns the bound address (with the chosen port when configured with 0).
    @discardableResult
    public func start() async throws -> SocketAddress {
        let channel = try await makeBootstrap().bind(host: configuration.host, port: configuration.port).get()
        let accepted = listener.withLock { listener in
            guard case .idle = listener else {
                return false
            }
            listener = .listening(channel)
            return true
        }
        guard accepted else {
            try? await channel.close()
            throw GatewayError.alreadyStarted
        }
        let address = try channel.localAddress ?? SocketAddress(ipAddress: configuration.host, port: configuration.port)
        logger.info("ssh gateway listening", metadata: ["address": "\(address)"])
        startAccessRecheck()
        return address
    }

    /// The address the gateway listens on, while it does.
    public var localAddress: SocketAddress? {
        listener.withLock { listener in
            guard case .listening(let channel) = listener else {
                return nil
            }
            return channel.localAddress
        }
    }

    /// Stops accepting, closes every connection (their exec sessions are closed with them) and
    /// waits until they are closed.
    public func shutdown() async {
        let channel = listener.withLock { listener -> (any Channel)? in
            defer { listener = .shutDown }
            guard case .listening(let channel) = listener else {
                return nil
            }
            return channel
        }
        try? await channel?.close()
        recheck.withLock { task in
            task?.cancel()
            task = nil
        }
        await registry.closeAll()
        logger.info("ssh gateway stopped")
    }

    /// Serves until the calling task is cancelled, then shuts down.
    public func run() async throws {
        try await start()
        let channel = listener.withLock { listener -> (any Channel)? in
            guard case .listening(let channel) = listener else {
                return nil
            }
            return channel
        }
        if let channel {
            await withTaskCancellationHandler {
                try? await channel.closeFuture.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        }
        await shutdown()
    }

    /// Every `accessRecheckInterval`, closes the connections of users who may no longer sign
    /// in: deactivating a user ends their sessions within one interval, on every replica.
    private func startAccessRecheck() {
        let (registry, access, interval) = (registry, access, configuration.accessRecheckInterval)
        guard interval > .zero else { return }
        let task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                let users = registry.signedInUsers
                guard !users.isEmpty else { continue }
                registry.close(signedInAs: await access.revokedUsers(among: users))
            }
        }
        recheck.withLock { $0 = task }
    }

    private func makeBootstrap() -> ServerBootstrap {
        var bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            // nio-ssh marks its channels unwritable whenever the TCP channel is; NIO's default
            // 64 KiB high-water mark would stall output every few packets.
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 1024 * 1024))
        if configuration.tcpKeepAliveInterval > .zero {
            let seconds = Int(max(configuration.tcpKeepAliveInterval.components.seconds, 1))
            bootstrap = bootstrap.childChannelOption(.socketOption(.so_keepalive), value: 1)
            for (name, value) in Self.keepAliveOptions(interval: seconds, probes: configuration.tcpKeepAliveProbes) {
                bootstrap = bootstrap.childChannelOption(.tcpOption(.init(rawValue: name)), value: value)
            }
        }
        // The initializer captures what it needs rather than the gateway, which holds the listener.
        let pipeline = ConnectionPipeline(configuration: configuration, access: access)
        let (registry, logger, metrics) = (registry, logger, metrics)
        return bootstrap.childChannelInitializer { channel in
            let remote = Self.describe(channel.remoteAddress)
            let number: Int
            switch registry.admit(channel, source: channel.remoteAddress?.ipAddress ?? remote) {
            case .success(let admitted):
                number = admitted
            case .failure(let refusal):
                metrics.connectionRefused(reason: refusal.rawValue)
                // Refusals come in floods during an attack: one line each at notice, not warning.
                logger.notice(
                    "ssh connection refused: \(refusal.explanation)",
                    metadata: ["ssh.remote": "\(remote)", "reason": "\(refusal.rawValue)"])
                return channel.eventLoop.makeFailedFuture(GatewayError.refused(refusal))
            }
            let connection = GatewayConnection(id: number, remote: remote, logger: logger, metrics: metrics)
            registry.attach(connection, to: channel)
            metrics.connectionOpened()
            connection.logger.debug("ssh connection opened")
            channel.closeFuture.whenComplete { _ in
                connection.closed()
            }
            return channel.eventLoop.makeCompletedFuture {
                try pipeline.install(on: channel, connection: connection)
            }
        }
    }

    /// `203.0.113.7:51234` or `[2001:db8::1]:51234`.
    private static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else {
            return address.map { "\($0)" } ?? "unknown"
        }
        if case .v6 = address {
            return "[\(ip)]:\(port)"
        }
        return "\(ip):\(port)"
    }

    /// TCP options for the first keepalive probe after `interval` idle seconds, then one every
    /// `interval` seconds, giving up after `probes`.
    private static func keepAliveOptions(interval: Int, probes: Int) -> [(CInt, Int)] {
        #if canImport(Darwin)
            return [(TCP_KEEPALIVE, interval), (TCP_KEEPINTVL, interval), (TCP_KEEPCNT, max(probes, 1))]
        #else
            return [(TCP_KEEPIDLE, interval), (TCP_KEEPINTVL, interval), (TCP_KEEPCNT, max(probes, 1))]
        #endif
    }
}
