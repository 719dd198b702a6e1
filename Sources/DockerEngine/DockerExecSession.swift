import Foundation
import GantryPorts
import NIOCore
import NIOHTTP1
import Synchronization

/// A session whose process streams run over a hijacked connection: exec and attach differ only in how
/// they ask the engine about the process.
protocol DockerStreamSession: ContainerExecSession {
    var stream: DockerHijackedStream { get }
}

extension DockerStreamSession {
    var output: DockerExecOutputQueue { stream.output }

    func nextOutput() async throws -> ExecOutputChunk? {
        try await stream.output.next()
    }

    func send(_ bytes: ByteBuffer) async throws {
        try await stream.send(bytes)
    }

    func finishInput() async throws {
        try await stream.finishInput()
    }

    func close() async {
        try? await stream.connection.channel.close()
    }
}

/// The stdin and output of a process on a hijacked connection: output read through its queue, input
/// written in order with at most one write outstanding. Closes the connection when it goes away.
final class DockerHijackedStream: Sendable {
    let connection: DockerExecConnection
    /// What the stream belongs to, for error messages (`exec <id>`, `container <id>`).
    private let subject: String
    private let host: DockerEngineHost
    /// The write of the last `send`, which the next one waits for.
    private let lastWrite = Mutex<EventLoopFuture<Void>?>(nil)

    init(connection: DockerExecConnection, subject: String, host: DockerEngineHost) {
        self.connection = connection
        self.subject = subject
        self.host = host
    }

    deinit {
        // A session dropped without `close()` must not keep its connection (and the process's stdin) open.
        connection.channel.close(promise: nil)
    }

    var output: DockerExecOutputQueue { connection.output }

    func send(_ bytes: ByteBuffer) async throws {
        // The buffer is written as it is, not copied. Waiting for the previous write rather than this one
        // keeps the socket busy while the caller produces the next chunk, with at most one chunk queued.
        let previous = lastWrite.withLock { last in
            defer { last = connection.channel.writeAndFlush(bytes) }
            return last
        }
        do {
            try await previous?.get()
        } catch {
            throw failure(error, while: "sending input")
        }
    }

    func finishInput() async throws {
        do {
            // A half-close fails writes still queued, so the last one must be out first.
            try await lastWrite.withLock { $0 }?.get()
            try await connection.channel.close(mode: .output)
        } catch ChannelError.outputClosed, ChannelError.alreadyClosed {
            return
        } catch {
            throw failure(error, while: "closing input")
        }
    }

    func failure(_ error: any Error, while action: String) -> ContainerRuntimeError {
        .unreachable("\(host): \(subject): \(action) failed: \(error)")
    }
}

/// An attached exec on a Docker Engine: the hijacked connection for its streams, the engine's HTTP API
/// for its terminal size and exit status.
final class DockerExecSession: DockerStreamSession {
    let execID: String
    let tty: Bool
    let stream: DockerHijackedStream
    private let client: DockerEngineClient

    /// How long `exitStatus()` waits for the engine to notice the process has ended.
    static let exitStatusWait = Duration.seconds(5)

    init(execID: String, tty: Bool, client: DockerEngineClient, connection: DockerExecConnection) {
        self.execID = execID
        self.tty = tty
        self.client = client
        self.stream = DockerHijackedStream(connection: connection, subject: "exec \(execID)", host: client.host)
    }

    func resize(_ size: TerminalSize) async throws {
        try await applySize(size)
    }

    /// `POST /exec/{id}/resize`; a no-op without a TTY, where there is no terminal to size.
    func applySize(_ size: TerminalSize) async throws(ContainerRuntimeError) {
        guard tty else { return }
        let query = [("h", String(size.rows)), ("w", String(size.columns))]
        let path = "/exec/\(DockerEngineClient.pathSegment(execID))/resize"
        var retries = 0
        while true {
            let answer = try await client.send(.POST, path, query: query)
            // Right after the start an engine may not count the exec as running yet: 409, or 500
            // "cannot resize a stopped container" while containerd is still starting it.
            let notStartedYet = answer.status == 500 && answer.message.contains("stopped container")
            switch answer.status {
            case 200..<300:
                return
            case 404, 409,
                500 where notStartedYet:
                // Once the process has ended there is no terminal left to size (the engine then answers
                // 404 "no such exec").
                if stream.output.isFinished { return }
                guard retries >= 10 else {
                    retries += 1
                    try? await Task.sleep(for: .milliseconds(50 * retries))
                    continue
                }
                if try await isRunning() == false { return }
                throw answer.engineError
            default:
                throw answer.engineError
            }
        }
    }

    /// Whether the engine still runs the process; `nil` when it cannot say.
    private func isRunning() async throws(ContainerRuntimeError) -> Bool? {
        let answer = try await client.send(.GET, "/exec/\(DockerEngineClient.pathSegment(execID))/json")
        guard answer.status == 200 else { return nil }
        return try answer.decode(ExecInspectBody.self).running
    }

    func exitStatus() async throws -> Int32? {
        let deadline = ContinuousClock.now + Self.exitStatusWait
        let path = "/exec/\(DockerEngineClient.pathSegment(execID))/json"
        while true {
            let answer = try await client.send(.GET, path)
            switch answer.status {
            case 200:
                let body = try answer.decode(ExecInspectBody.self)
                // The stream can end a moment before the engine records the exit.
                if body.running == true, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                    continue
                }
                guard body.running != true, let code = body.exitCode else { return nil }
                return Int32(truncatingIfNeeded: code)
            case 404:
                return nil
            default:
                throw answer.engineError
            }
        }
    }
}

/// The part of `GET /exec/{id}/json` read here.
struct ExecInspectBody: Decodable {
    var running: Bool?
    var exitCode: Int?

    enum CodingKeys: String, CodingKey {
        case running = "Running"
        case exitCode = "ExitCode"
    }
}

/// Output read off the connection and not yet taken by `nextOutput()`, shared by the event loop (which
/// adds) and the reader (which takes).
///
/// Reading from the socket stops while more than `highWatermark` bytes wait here and resumes when the
/// reader has brought them under `lowWatermark`, so a slow reader slows the process down (its writes
/// block once the socket buffers are full) instead of growing this queue.
final class DockerExecOutputQueue: Sendable {
    static let highWatermark = 1 << 20
    static let lowWatermark = 256 << 10

    private struct State {
        var chunks = CircularBuffer<ExecOutputChunk>()
        var bufferedBytes = 0
        /// Set once the stream has ended: `.success` at its end, `.failure` when it broke.
        var end: Result<Void, any Error>?
        var waiter: CheckedContinuation<ExecOutputChunk?, any Error>?
        /// A read the channel asked for was held back because the queue was full.
        var readHeldBack = false
    }

    private let state = Mutex(State())
    private let channel: any Channel

    init(channel: any Channel) {
        self.channel = channel
    }

    var isFinished: Bool {
        state.withLock { $0.end != nil }
    }

    /// Bytes read off the socket and not yet taken.
    var bufferedByteCount: Int {
        state.withLock { $0.bufferedBytes }
    }

    // MARK: Event loop side

    func append(_ chunk: ExecOutputChunk) {
        let waiter = state.withLock { state -> CheckedContinuation<ExecOutputChunk?, any Error>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.chunks.append(chunk)
            state.bufferedBytes += chunk.byteCount
            return nil
        }
        waiter?.resume(returning: chunk)
    }

    /// Whether the channel may read now; if not, the read is remembered and issued once there is room.
    func mayRead() -> Bool {
        state.withLock { state in
            guard state.bufferedBytes >= Self.highWatermark, state.end == nil else { return true }
            state.readHeldBack = true
            return false
        }
    }

    /// Ends the output; later calls change nothing.
    func finish(_ error: (any Error)? = nil) {
        let waiter = state.withLock { state -> CheckedContinuation<ExecOutputChunk?, any Error>? in
            guard state.end == nil else { return nil }
            state.end = error.map { .failure($0) } ?? .success(())
            defer { state.waiter = nil }
            return state.waiter
        }
        if let error {
            waiter?.resume(throwing: error)
        } else {
            waiter?.resume(returning: nil)
        }
    }

    // MARK: Reader side

    private enum Next {
        case chunk(ExecOutputChunk, resumeReading: Bool)
        case end(Result<Void, any Error>)
        case wait
    }

    /// The next chunk, `nil` at the end of the stream; throws if the stream broke or the task is cancelled.
    func next() async throws -> ExecOutputChunk? {
        switch state.withLock({ take(from: &$0) }) {
        case .chunk(let chunk, let resumeReading):
            if resumeReading { channel.read() }
            return chunk
        case .end(let result):
            try result.get()
            return nil
        case .wait:
            return try await waitForNext()
        }
    }

    private func waitForNext() async throws -> ExecOutputChunk? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<ExecOutputChunk?, any Error>) in
                let now = state.withLock { state -> Next? in
                    let next = take(from: &state)
                    guard case .wait = next else { return next }
                    if Task.isCancelled { return .end(.failure(CancellationError())) }
                    if state.waiter != nil {
                        return .end(.failure(DockerExecUsageError.concurrentReads))
                    }
                    state.waiter = continuation
                    return nil
                }
                switch now {
                case .chunk(let chunk, let resumeReading):
                    if resumeReading { channel.read() }
                    continuation.resume(returning: chunk)
                case .end(.success):
                    continuation.resume(returning: nil)
                case .end(.failure(let error)):
                    continuation.resume(throwing: error)
                case .wait, nil:
                    break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func take(from state: inout State) -> Next {
        if let chunk = state.chunks.popFirst() {
            state.bufferedBytes -= chunk.byteCount
            let resume = state.readHeldBack && state.bufferedBytes < Self.lowWatermark
            if resume { state.readHeldBack = false }
            return .chunk(chunk, resumeReading: resume)
        }
        if let end = state.end { return .end(end) }
        return .wait
    }
}

/// A session used against its contract.
enum DockerExecUsageError: Error, CustomStringConvertible {
    case concurrentReads

    var description: String { "nextOutput() was called while another call was waiting" }
}

/// The end of the stream pipeline: hands decoded output to the queue and holds reads back while the
/// queue is full.
final class DockerExecOutputHandler: ChannelDuplexHandler {
    typealias InboundIn = ExecOutputChunk
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let output: DockerExecOutputQueue

    init(output: DockerExecOutputQueue) {
        self.output = output
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        output.append(unwrapInboundIn(data))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent {
            // The engine has sent everything: the process closed its output or exited.
            output.finish()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        output.finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // The pipeline is torn down when the channel closes: whatever was on its way, the stream has ended.
        output.finish()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        output.finish(error)
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if output.mayRead() {
            context.read()
        }
    }
}

extension ExecOutputChunk {
    var byteCount: Int {
        switch self {
        case .stdout(let bytes), .stderr(let bytes): bytes.readableBytes
        }
    }
}
