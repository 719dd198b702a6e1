import GantryPorts
import GantryServices
import NIOCore
import NIOSSH

/// Translates a session channel between nio-ssh's vocabulary (channel data, request user events)
/// and `SessionChannelInbound`/`SessionChannelOutbound`, so that the session logic can be plain
/// async code (through `SessionChannelIO`). It also counts bytes and activity for its connection.
final class SessionChannelCodec: ChannelDuplexHandler {
    typealias InboundIn = SSHChannelData
    typealias InboundOut = SessionChannelInbound
    typealias OutboundIn = SessionChannelOutbound
    typealias OutboundOut = SSHChannelData

    /// Input is handed on in pieces of at most about this size. Coalescing the packets of one read
    /// burst saves a hop to the session task and a `send` per packet.
    private static let coalescingLimit = 256 * 1024

    private let connection: GatewayConnection
    private var pendingInput: ByteBuffer?
    /// The most recent output write; exit-status must not overtake it.
    private var lastOutputWrite: EventLoopFuture<Void>?

    init(connection: GatewayConnection) {
        self.connection = connection
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        // Extended data from a client has no meaning for a session; drop it.
        guard case .channel = message.type, case .byteBuffer(var bytes) = message.data, bytes.readableBytes > 0 else {
            return
        }
        connection.received(bytes.readableBytes)
        if var pending = pendingInput {
            pendingInput = nil  // keep the buffer uniquely referenced while appending
            pending.writeBuffer(&bytes)
            pendingInput = pending
        } else {
            pendingInput = bytes
        }
        if let pending = pendingInput, pending.readableBytes >= Self.coalescingLimit {
            flushInput(context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushInput(context: context)
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        let message: SessionChannelInbound
        switch event {
        case let request as SSHChannelRequestEvent.PseudoTerminalRequest:
            let size = TerminalSize(columns: request.terminalCharacterWidth, rows: request.terminalRowHeight)
            message = .pseudoTerminal(term: request.term, size: size, wantReply: request.wantReply)
        case let request as SSHChannelRequestEvent.EnvironmentRequest:
            message = .environment(name: request.name, value: request.value, wantReply: request.wantReply)
        case let request as SSHChannelRequestEvent.ShellRequest:
            message = .shell(wantReply: request.wantReply)
        case let request as SSHChannelRequestEvent.ExecRequest:
            message = .exec(command: request.command, wantReply: request.wantReply)
        case let request as SSHChannelRequestEvent.SubsystemRequest:
            message = .subsystem(name: request.subsystem, wantReply: request.wantReply)
        case let request as SSHChannelRequestEvent.WindowChangeRequest:
            message = .windowChange(
                TerminalSize(columns: request.terminalCharacterWidth, rows: request.terminalRowHeight))
        case ChannelEvent.inputClosed:
            // A message like the others: requests such as window-change can still follow it.
            message = .endOfInput
        default:
            context.fireUserInboundEventTriggered(event)
            return
        }
        connection.touch()
        flushInput(context: context)
        context.fireChannelRead(wrapInboundOut(message))
    }

    private func flushInput(context: ChannelHandlerContext) {
        guard let pending = pendingInput else {
            return
        }
        pendingInput = nil
        context.fireChannelRead(wrapInboundOut(.data(pending)))
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .output(let chunk):
            let message: SSHChannelData
            switch chunk {
            case .stdout(let bytes):
                message = SSHChannelData(type: .channel, data: .byteBuffer(bytes))
            case .stderr(let bytes):
                message = SSHChannelData(type: .stdErr, data: .byteBuffer(bytes))
            }
            connection.sent(message.data.readableBytes)
            let written = promise ?? context.eventLoop.makePromise()
            lastOutputWrite = written.futureResult
            context.write(wrapOutboundOut(message), promise: written)

        case .reply(let success):
            let event: Any = success ? ChannelSuccessEvent() : ChannelFailureEvent()
            context.triggerUserOutboundEvent(event, promise: promise)

        case .exit(let status):
            // nio-ssh sends channel requests at once but holds data until the client's window has
            // room, so exit-status written now could arrive before the last output. Wait for it.
            // No EOF before the close: nio-ssh 0.15.1 rejects sending EOF after the client has sent
            // its own ("Sent EOF out of sequence") and fails the channel, and CLOSE implies it.
            let outputWritten = lastOutputWrite ?? context.eventLoop.makeSucceededVoidFuture()
            outputWritten.assumeIsolated().whenComplete { _ in
                context.triggerUserOutboundEvent(SSHChannelRequestEvent.ExitStatus(exitStatus: status), promise: nil)
                context.close(promise: promise)
            }
        }
    }
}
