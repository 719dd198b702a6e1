import Logging
import NIOCore

/// Last handler of a connection: any error that reaches it (a protocol violation, a reset) ends
/// the connection, as nothing after it could recover.
final class ConnectionErrorHandler: ChannelInboundHandler {
    typealias InboundIn = Any

    private let connection: GatewayConnection

    init(connection: GatewayConnection) {
        self.connection = connection
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection.logger.debug("ssh connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
