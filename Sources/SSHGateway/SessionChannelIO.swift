import NIOCore

/// The async face of a session channel: pull what the client sent, push what goes back, with
/// backpressure both ways.
///
/// `NIOAsyncChannel` would fit, except that its `executeThenClose` asserts that a channel's
/// `closeFuture` never fails, and nio-ssh 0.15.1 fails a child channel's `closeFuture` whenever
/// the channel ends in an error, such as on every dropped TCP connection.
struct SessionChannelIO: Sendable {
    let channel: any Channel
    private let handler: NIOLoopBound<SessionChannelIOHandler>

    /// Adds the handler at the end of `channel`'s pipeline; must run on its event loop.
    static func install(on channel: any Channel) throws -> SessionChannelIO {
        let handler = SessionChannelIOHandler(eventLoop: channel.eventLoop)
        try channel.pipeline.syncOperations.addHandler(handler)
        return SessionChannelIO(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
    }

    /// The next message from the client; `nil` once the channel has closed.
    func next() async throws -> SessionChannelInbound? {
        try await channel.eventLoop.flatSubmit { handler.value.nextMessage() }.get()
    }

    /// Returns once `message` is in the pipeline; suspends while the channel is not writable.
    func write(_ message: SessionChannelOutbound) async throws {
        try await channel.eventLoop.flatSubmit { handler.value.enqueue(message) }.get()
    }
}

/// The event-loop half of `SessionChannelIO`.
final class SessionChannelIOHandler: ChannelDuplexHandler {
    typealias InboundIn = SessionChannelInbound
    typealias OutboundIn = Never
    typealias OutboundOut = SessionChannelOutbound

    /// Messages held before reading from nio-ssh pauses (which in turn stops opening the client's window).
    private static let highWatermark = 8

    private let eventLoop: any EventLoop
    private var context: ChannelHandlerContext?
    private var received = CircularBuffer<SessionChannelInbound>()
    private var reader: EventLoopPromise<SessionChannelInbound?>?
    private var heldRead = false
    private var unwritten = CircularBuffer<(message: SessionChannelOutbound, promise: EventLoopPromise<Void>)>()
    private var closed = false

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        end()
        self.context = nil
    }

    // MARK: Client to program

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received.append(unwrapInboundIn(data))
        deliver()
    }

    func channelInactive(context: ChannelHandlerContext) {
        end()
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        if received.count < Self.highWatermark {
            context.read()
        } else {
            heldRead = true
        }
    }

    func nextMessage() -> EventLoopFuture<SessionChannelInbound?> {
        guard reader == nil else {
            // One reader at a time; the bridge never asks twice.
            return eventLoop.makeFailedFuture(ChannelError.inappropriateOperationForState)
        }
        let promise = eventLoop.makePromise(of: SessionChannelInbound?.self)
        reader = promise
        deliver()
        return promise.futureResult
    }

    private func deliver() {
        guard let waiting = reader else {
            return
        }
        if let message = received.popFirst() {
            reader = nil
            waiting.succeed(message)
            if heldRead, received.count < Self.highWatermark {
                heldRead = false
                context?.read()
            }
        } else if closed {
            reader = nil
            waiting.succeed(nil)
        }
    }

    // MARK: Program to client

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writeUnwritten()
        context.fireChannelWritabilityChanged()
    }

    func enqueue(_ message: SessionChannelOutbound) -> EventLoopFuture<Void> {
        guard !closed else {
            return eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
        }
        let promise = eventLoop.makePromise(of: Void.self)
        unwritten.append((message, promise))
        writeUnwritten()
        return promise.futureResult
    }

    private func writeUnwritten() {
        guard let context, !unwritten.isEmpty else {
            return
        }
        var wrote = false
        while context.channel.isWritable, let next = unwritten.popFirst() {
            context.write(wrapOutboundOut(next.message), promise: nil)
            next.promise.succeed(())
            wrote = true
        }
        if wrote {
            context.flush()
        }
    }

    // MARK: End

    /// The channel is gone: the reader gets `nil` once it has drained what arrived, writers an error.
    private func end() {
        guard !closed else {
            return
        }
        closed = true
        while let pending = unwritten.popFirst() {
            pending.promise.fail(ChannelError.ioOnClosedChannel)
        }
        deliver()
    }
}
