import Foundation
import GantryPorts
import NIOCore
import NIOHTTP1
import NIOPosix

/// The raw stream of an attached exec: the engine answers `POST /exec/{id}/start` by taking the HTTP
/// connection over ("hijacking" it) for the process's stdin and output, which AsyncHTTPClient cannot
/// hand out, so this opens its own connection.
///
/// After the answer's head the HTTP handlers leave the pipeline; what is left is
/// `DockerStreamFrameDecoder` → `DockerExecOutputHandler`, and writes of `ByteBuffer`s go straight to
/// the socket.
struct DockerExecConnection: Sendable {
    let channel: any Channel
    let output: DockerExecOutputQueue

    /// Connects to `host`, sends the start request for `path` (already versioned) and waits, at most
    /// `timeout`, until the engine has switched the connection to the stream.
    static func open(
        host: DockerEngineHost, group: any EventLoopGroup, path: String, body: ByteBuffer, multiplexed: Bool,
        timeout: TimeAmount
    ) async throws(ContainerRuntimeError) -> DockerExecConnection {
        // AsyncHTTPClient's group is NIOPosix's on Linux; another kind of group cannot run a ClientBootstrap.
        let usable = ClientBootstrap(validatingGroup: group) != nil
        let eventLoop = usable ? group.next() : MultiThreadedEventLoopGroup.singleton.next()
        let hijacked = eventLoop.makePromise(of: DockerExecOutputQueue.self)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host.hostHeader)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "Connection", value: "Upgrade")
        headers.add(name: "Upgrade", value: "tcp")
        let request = HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)

        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            // Closing stdin (our output) must leave the process's output (our input) flowing.
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let gate = DockerExecEndOfInputGate()
                    let handler = DockerExecHijackHandler(
                        request: request, body: body, multiplexed: multiplexed, timeout: timeout, gate: gate,
                        hijacked: hijacked)
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(gate)
                    try sync.addHandler(HTTPRequestEncoder())
                    // Bytes of the stream that came in the same read as the answer's head stay in the decoder;
                    // `.forwardBytes` hands them on when it leaves the pipeline.
                    try sync.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes)))
                    try sync.addHandler(handler)
                }
            }

        let connecting: EventLoopFuture<any Channel>
        switch host {
        case .unixSocket(let socketPath):
            guard FileManager.default.fileExists(atPath: socketPath) else {
                hijacked.fail(ChannelError.ioOnClosedChannel)
                throw .unreachable("\(host): no socket at \(socketPath)")
            }
            connecting = bootstrap.connect(unixDomainSocketPath: socketPath)
        case .tcp(let hostName, let port):
            connecting = bootstrap.connect(host: hostName, port: port)
        }
        let channel: any Channel
        do {
            channel = try await connecting.get()
        } catch {
            hijacked.fail(error)
            throw .unreachable("\(host): cannot connect for exec: \(error)")
        }
        do {
            // Closing the channel fails the promise, so a cancelled caller does not wait out the timeout.
            let output = try await withTaskCancellationHandler {
                try await hijacked.futureResult.get()
            } onCancel: {
                channel.close(promise: nil)
            }
            return DockerExecConnection(channel: channel, output: output)
        } catch let error as ContainerRuntimeError {
            channel.close(promise: nil)
            throw error
        } catch {
            channel.close(promise: nil)
            throw .unreachable("\(host): exec start failed: \(error)")
        }
    }
}

extension DockerEngineHost {
    /// What the `Host` header names: Go's HTTP server rejects HTTP/1.1 requests without one, and a
    /// socket path has no host name.
    var hostHeader: String {
        switch self {
        case .unixSocket: "docker"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}

/// Sends the start request and, once the engine has answered it, swaps the HTTP codec for the stream's.
///
/// Current engines answer `101 UPGRADED`; engines from before the upgrade handshake answer `200 OK` and
/// then send the stream as a body that lasts until the connection closes. Any other status is a refusal
/// whose body carries the engine's message.
final class DockerExecHijackHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = HTTPClientRequestPart

    /// Refusals are short JSON messages; more than this is cut.
    private static let maxRefusalBytes = 64 * 1024

    private enum State {
        case awaitingHead
        /// 101: the stream starts after the answer's end.
        case upgrading(DockerExecOutputQueue)
        /// 200: the stream is the answer's body, handed on until the HTTP decoder has left.
        case streamingBody
        case refused(status: Int, body: ByteBuffer)
        /// The HTTP handlers are leaving; the promise is settled once they have.
        case handingOver
        case done
    }

    private let request: HTTPRequestHead
    private let body: ByteBuffer
    private let multiplexed: Bool
    private let timeout: TimeAmount
    private let gate: DockerExecEndOfInputGate
    private let hijacked: EventLoopPromise<DockerExecOutputQueue>
    private var state = State.awaitingHead
    private var timeoutTask: Scheduled<Void>?

    init(
        request: HTTPRequestHead, body: ByteBuffer, multiplexed: Bool, timeout: TimeAmount,
        gate: DockerExecEndOfInputGate, hijacked: EventLoopPromise<DockerExecOutputQueue>
    ) {
        self.request = request
        self.body = body
        self.multiplexed = multiplexed
        self.timeout = timeout
        self.gate = gate
        self.hijacked = hijacked
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        timeoutTask = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            let seconds = Double(self.timeout.nanoseconds) / 1e9
            self.fail(
                channel, ContainerRuntimeError.unreachable("the engine did not start the exec within \(seconds) s"))
        }
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .awaitingHead):
            switch head.status.code {
            case 101, 200:
                // The stream may end before the HTTP handlers are gone; its end must wait for them.
                gate.isHolding = true
            default:
                break
            }
            switch head.status.code {
            case 101:
                guard let output = addStreamHandlers(context: context) else { return }
                state = .upgrading(output)
            case 200:
                guard let output = addStreamHandlers(context: context) else { return }
                state = .streamingBody
                leaveHTTP(context: context, output: output, removingSelfFirst: false)
            default:
                state = .refused(status: Int(head.status.code), body: context.channel.allocator.buffer(capacity: 0))
            }
        case (.body(var bytes), .refused(let status, var collected)):
            let room = Self.maxRefusalBytes - collected.readableBytes
            if room > 0, let part = bytes.readSlice(length: min(room, bytes.readableBytes)) {
                collected.writeImmutableBuffer(part)
            }
            state = .refused(status: status, body: collected)
        case (.body(let bytes), .streamingBody):
            context.fireChannelRead(wrapInboundOut(bytes))
        case (.end, .upgrading(let output)):
            leaveHTTP(context: context, output: output, removingSelfFirst: true)
        case (.end, .refused(let status, let collected)):
            let message = EngineAnswer(status: status, body: collected).message
            fail(context.channel, ContainerRuntimeError.engine(status: status, message: message))
        default:
            // The `.end` of a 200 answer (the stream ended; the stream decoder sees that too), or parts
            // after a failure.
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch state {
        case .streamingBody, .handingOver, .done:
            context.fireErrorCaught(error)
        case .awaitingHead, .upgrading, .refused:
            fail(context.channel, error)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent, isWaiting {
            fail(context.channel, ContainerRuntimeError.unreachable("the engine closed the connection of the exec"))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if isWaiting {
            fail(context.channel, ContainerRuntimeError.unreachable("the engine closed the connection of the exec"))
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Catches a pipeline torn down while the answer was still due.
        if isWaiting {
            fail(context.channel, ChannelError.ioOnClosedChannel)
        }
    }

    private var isWaiting: Bool {
        switch state {
        case .awaitingHead, .upgrading, .streamingBody, .refused: true
        case .handingOver, .done: false
        }
    }

    /// The decoder and output queue the stream is read through, added behind this handler.
    private func addStreamHandlers(context: ChannelHandlerContext) -> DockerExecOutputQueue? {
        let output = DockerExecOutputQueue(channel: context.channel)
        do {
            try context.pipeline.syncOperations.addHandlers(
                ByteToMessageHandler(DockerStreamFrameDecoder(multiplexed: multiplexed)),
                DockerExecOutputHandler(output: output)
            )
            return output
        } catch {
            fail(context.channel, error)
            return nil
        }
    }

    /// Takes the HTTP handlers out, then reports the stream ready.
    ///
    /// The response decoder leaves asynchronously and hands on the bytes it held back: after a 101 those
    /// are raw stream bytes, so this handler leaves first and they go straight to the frame decoder;
    /// after a 200 they come out as body parts, which this handler forwards until the decoder is gone.
    /// The decoder also watches outgoing writes for HTTP parts, so stdin may only flow once it is gone.
    private func leaveHTTP(context: ChannelHandlerContext, output: DockerExecOutputQueue, removingSelfFirst: Bool) {
        let channel = context.channel
        let sync = context.pipeline.syncOperations
        let decoderRemoved: EventLoopFuture<Void>
        do {
            sync.removeHandler(try sync.handler(type: HTTPRequestEncoder.self), promise: nil)
            decoderRemoved = sync.removeHandler(try sync.handler(type: ByteToMessageHandler<HTTPResponseDecoder>.self))
        } catch {
            fail(channel, error)
            return
        }
        if removingSelfFirst {
            state = .handingOver
            sync.removeHandler(context: context, promise: nil)
        }
        decoderRemoved.assumeIsolated().whenComplete { result in
            switch result {
            case .success:
                if !removingSelfFirst {
                    self.state = .handingOver
                    context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                }
                // Now an end of the stream that came early can follow the bytes before it.
                channel.pipeline.syncOperations.removeHandler(self.gate, promise: nil)
                self.state = .done
                self.timeoutTask?.cancel()
                self.hijacked.succeed(output)
            case .failure(let error):
                self.fail(channel, error)
            }
        }
    }

    private func fail(_ channel: any Channel, _ error: any Error) {
        state = .done
        timeoutTask?.cancel()
        hijacked.fail(error)
        channel.close(promise: nil)
    }
}

/// First in the pipeline while the HTTP handlers are there: once the engine has answered, holds back the
/// end of the input and the channel going inactive, and lets them go when it leaves the pipeline.
///
/// The response decoder gives up the stream bytes it holds only when it leaves, which happens on a later
/// event loop tick; either event reaching it before then would make it drop those bytes. A process that
/// writes and exits at once can have its output, the end of the stream and the engine's close (a hang-up,
/// which closes the channel) arrive in the same read cycle as the answer.
final class DockerExecEndOfInputGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    var isHolding = false
    private var heldInputClosed = false
    private var heldInactive = false

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if isHolding, case .inputClosed? = event as? ChannelEvent {
            heldInputClosed = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if isHolding {
            heldInactive = true
            return
        }
        context.fireChannelInactive()
    }

    func removeHandler(context: ChannelHandlerContext, removalToken: ChannelHandlerContext.RemovalToken) {
        isHolding = false
        if heldInputClosed {
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
        if heldInactive {
            context.fireChannelInactive()
        }
        context.leavePipeline(removalToken: removalToken)
    }
}
