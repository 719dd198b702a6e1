import GantryServices
import Logging
import NIOCore
import NIOSSH

/// Sets up an accepted TCP connection: the SSH protocol handler with a per-connection auth
/// delegate, the login and idle timer, and a session bridge for each session channel the client
/// opens.
struct ConnectionPipeline: Sendable {
    let configuration: SSHGatewayConfiguration
    let access: any ShellAccess

    /// Adds the connection's handlers; must run on the channel's event loop.
    func install(on channel: any Channel, connection: GatewayConnection) throws {
        var server = SSHServerConfiguration(
            hostKeys: [configuration.hostKey],
            userAuthDelegate: PublicKeyAuthDelegate(access: access, connection: connection))
        // nio-ssh traps on values outside what RFC 4253 allows; keep configuration mistakes survivable.
        server.maximumPacketSize = min(max(configuration.maximumPacketSize, 32 * 1024), 16 * 1024 * 1024)
        server.maxAuthAttempts = max(configuration.maxAuthAttempts, 1)

        let ssh = NIOSSHHandler(
            role: .server(server), allocator: channel.allocator,
            inboundChildChannelInitializer: { child, type in
                child.eventLoop.makeCompletedFuture {
                    try self.initializeChild(child, type: type, connection: connection)
                }
            })
        let operations = channel.pipeline.syncOperations
        try operations.addHandler(
            ConnectionTimeoutHandler(
                loginGraceTime: TimeAmount(max(configuration.loginGraceTime, .seconds(1))),
                versionExchangeTimeout: TimeAmount(max(configuration.versionExchangeTimeout, .milliseconds(100))),
                idleTimeout: configuration.idleTimeout > .zero ? TimeAmount(configuration.idleTimeout) : nil,
                connection: connection))
        try operations.addHandler(ssh)
        try operations.addHandler(ConnectionErrorHandler(connection: connection))
    }

    private func initializeChild(_ child: any Channel, type: SSHChannelType, connection: GatewayConnection) throws {
        guard case .session = type else {
            connection.logger.info("ssh channel type refused", metadata: ["ssh.channel_type": "\(type)"])
            try child.pipeline.syncOperations.addHandler(RefusedChannelHandler())
            return
        }
        // Without half-closure nio-ssh turns a client's EOF (end of stdin) into closing the channel.
        if let options = child.syncOptions {
            try options.setOption(ChannelOptions.allowRemoteHalfClosure, value: true)
        }
        try child.pipeline.syncOperations.addHandler(SessionChannelCodec(connection: connection))
        let io = try SessionChannelIO.install(on: child)
        let bridge = SessionBridge(
            access: access, connection: connection, keepAliveInterval: configuration.targetKeepAliveInterval)
        Task {
            await bridge.run(io)
        }
    }
}
