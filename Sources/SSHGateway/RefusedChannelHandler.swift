import NIOCore

/// Closes a channel type the gateway does not serve (port forwarding and the like) as soon as it
/// opens.
///
/// nio-ssh 0.15.1 sends no SSH_MSG_CHANNEL_OPEN_FAILURE when a child channel initializer fails: it
/// forgets the channel and the client waits for an answer forever. Accepting and closing at once
/// is the way to say no that clients notice (`ssh -W` exits, `ssh -L` drops the forwarded socket).
final class RefusedChannelHandler: ChannelInboundHandler {
    typealias InboundIn = Any

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            context.close(promise: nil)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.close(promise: nil)
    }
}
