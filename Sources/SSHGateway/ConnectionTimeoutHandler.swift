import Logging
import NIOCore

/// Closes a connection that has sent nothing within the version-exchange timeout, that has not
/// signed in within the login grace time, or that has been idle for the idle timeout once signed in.
///
/// Idle means no channel data and no channel requests either way: window adjustments and client
/// keepalives do not keep an abandoned shell open. Rather than a periodic tick, it sleeps until
/// the earliest moment the connection could be due and looks again.
final class ConnectionTimeoutHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let loginGraceTime: TimeAmount
    private let versionExchangeTimeout: TimeAmount
    /// Whether the client has sent anything yet (its version line comes first).
    private var heardFrom = false
    /// `nil`: signed-in connections may stay idle for ever.
    private let idleTimeout: TimeAmount?
    private let connection: GatewayConnection
    private let openedAt = NIODeadline.now()
    private var check: Scheduled<Void>?

    init(
        loginGraceTime: TimeAmount, versionExchangeTimeout: TimeAmount, idleTimeout: TimeAmount?,
        connection: GatewayConnection
    ) {
        self.loginGraceTime = loginGraceTime
        self.versionExchangeTimeout = min(versionExchangeTimeout, loginGraceTime)
        self.idleTimeout = idleTimeout
        self.connection = connection
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            schedule(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancel()
    }

    func channelActive(context: ChannelHandlerContext) {
        schedule(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        heardFrom = true
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancel()
        context.fireChannelInactive()
    }

    /// When the connection is due to be closed, as things stand; `nil` if never.
    private var deadline: NIODeadline? {
        guard connection.grant != nil else {
            return openedAt + (heardFrom ? loginGraceTime : versionExchangeTimeout)
        }
        return idleTimeout.map { connection.lastActivity + $0 }
    }

    /// Until sign-in, also look every second: nothing tells this handler when a login succeeds,
    /// and the idle clock starts then.
    private var nextCheck: NIODeadline? {
        guard connection.grant == nil, let deadline else {
            return deadline
        }
        return min(deadline, .now() + .seconds(1))
    }

    private func schedule(context: ChannelHandlerContext) {
        guard check == nil, let nextCheck else {
            return
        }
        check = context.eventLoop.assumeIsolated().scheduleTask(deadline: nextCheck) {
            self.check = nil
            self.expire(context: context)
        }
    }

    private func expire(context: ChannelHandlerContext) {
        guard let deadline, deadline <= .now() else {
            // Signed in or active since: look again later (or never).
            schedule(context: context)
            return
        }
        if connection.grant == nil {
            connection.markLoginTimedOut()
            if heardFrom {
                connection.logger.info(
                    "ssh login timed out", metadata: ["login_grace_s": "\(loginGraceTime.nanoseconds / 1_000_000_000)"])
            } else {
                connection.logger.info(
                    "ssh connection sent nothing, closing",
                    metadata: ["timeout_ms": "\(versionExchangeTimeout.nanoseconds / 1_000_000)"])
            }
        } else {
            connection.logger.info(
                "ssh connection idle, closing",
                metadata: ["idle_timeout_s": "\((idleTimeout ?? .zero).nanoseconds / 1_000_000_000)"])
        }
        context.close(promise: nil)
    }

    private func cancel() {
        check?.cancel()
        check = nil
    }
}
