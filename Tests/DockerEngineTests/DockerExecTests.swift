import Foundation
import GantryCore
import GantryPorts
import GantryTestSupport
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import DockerEngine

/// Attached exec against the real engine, in containers of `gantry-test/busybox:latest` (which sleeps an
/// hour under `gantry-init`). Each test labels its container with its own id and removes it at the end.
@Suite(.enabled(if: DockerTestSupport.engineConfigured, "no Docker engine configured"), .timeLimit(.minutes(1)))
struct DockerExecTests {
    static let image = "gantry-test/busybox:latest"

    /// Runs `body` with a started busybox container that is removed afterwards, whatever happens.
    private func withContainer(_ body: (DockerEngineClient, String) async throws -> Void) async throws {
        try await ContainerTestScope.run { scope in
            let runtime = scope.runtime
            let spec = ContainerSpec(
                name: "gantry-test-\(scope.id.prefix(8))-exec", image: Self.image, labels: scope.labels, cpu: 1,
                memoryMB: 128, pidsLimit: 64, containerPort: 8080, hostPort: 0
            )
            let id = try await runtime.createContainer(spec)
            try await runtime.startContainer(id: id)
            try await body(runtime, id)
        }
    }

    @Test func echoWritesStdoutAndExitsZero() async throws {
        try await withContainer { runtime, id in
            let session = try await runtime.exec(ExecCommand(containerID: id, argv: ["echo", "hi"]))
            let output = try await ExecOutput.collect(from: session)
            #expect(output.stdout == "hi\n")
            #expect(output.stderr == "")
            #expect(try await session.exitStatus() == 0)
            await session.close()
            await session.close()  // closing twice is fine
        }
    }

    @Test func stderrIsSeparateAndTheExitStatusIsReported() async throws {
        try await withContainer { runtime, id in
            let session = try await runtime.exec(
                ExecCommand(containerID: id, argv: ["sh", "-c", "echo out; echo err >&2; exit 3"])
            )
            let output = try await ExecOutput.collect(from: session)
            #expect(output.stdout == "out\n")
            #expect(output.stderr == "err\n")
            #expect(try await session.exitStatus() == 3)
            await session.close()
        }
    }

    @Test func environmentAndWorkingDirectoryApply() async throws {
        try await withContainer { runtime, id in
            let session = try await runtime.exec(
                ExecCommand(
                    containerID: id, argv: ["sh", "-c", "echo $GANTRY_EXEC_TEST; pwd"],
                    environment: ["GANTRY_EXEC_TEST=value"], workingDirectory: "/tmp"
                )
            )
            #expect(try await ExecOutput.collect(from: session).stdout == "value\n/tmp\n")
            await session.close()
        }
    }

    @Test func stdinStreamsUntilFinishInput() async throws {
        try await withContainer { runtime, id in
            let session = try await runtime.exec(ExecCommand(containerID: id, argv: ["sh", "-c", "wc -c"]))
            let total = 8 * 1024 * 1024
            let chunk = ByteBuffer(bytes: (0..<(64 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            for _ in 0..<(total / chunk.readableBytes) {
                try await session.send(chunk)
            }
            // `wc` only answers once it sees the end of its input.
            try await session.finishInput()
            try await session.finishInput()  // finishing twice is fine
            let output = try await ExecOutput.collect(from: session)
            #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(total))
            #expect(try await session.exitStatus() == 0)
            await session.close()
        }
    }

    @Test func ttyStartsAtItsInitialSizeAndResizes() async throws {
        try await withContainer { runtime, id in
            let session = try await runtime.exec(
                ExecCommand(
                    containerID: id, argv: ["sh"], tty: true, initialSize: TerminalSize(columns: 100, rows: 40)
                )
            )
            var seen = ""
            try await session.send(ByteBuffer(string: "stty size\n"))
            seen = try await ExecOutput.read(from: session, until: "40 100", after: seen)

            try await session.resize(TerminalSize(columns: 120, rows: 50))
            try await session.send(ByteBuffer(string: "stty size\n"))
            seen = try await ExecOutput.read(from: session, until: "50 120", after: seen)

            try await session.send(ByteBuffer(string: "exit 5\n"))
            let rest = try await ExecOutput.collect(from: session)
            #expect(rest.stderr == "", "a TTY merges stderr into stdout")
            #expect(try await session.exitStatus() == 5)
            // The process has ended: resizing now is not an error.
            try await session.resize(TerminalSize(columns: 80, rows: 24))
            await session.close()
        }
    }

    @Test func missingProgramEndsWithTheEnginesMessage() async throws {
        try await withContainer { runtime, id in
            // The engine has already switched to the stream when the start fails; it writes why into it.
            let session = try await runtime.exec(ExecCommand(containerID: id, argv: ["/no/such/program"]))
            let output = try await ExecOutput.collect(from: session)
            #expect((output.stdout + output.stderr).contains("no such file"), "output: \(output)")
            #expect(try await session.exitStatus() == 126)
            await session.close()
        }
    }

    @Test func missingContainerIsNotFound() async throws {
        let runtime = try DockerTestSupport.makeClient()
        let name = "gantry-test-no-such-\(UUID().uuidString)"
        await #expect(throws: ContainerRuntimeError.notFound("container \(name)")) {
            _ = try await runtime.exec(ExecCommand(containerID: name, argv: ["true"]))
        }
    }

    @Test func stoppedContainerIsAConflict() async throws {
        try await withContainer { runtime, id in
            try await runtime.stopContainer(id: id, timeoutSeconds: 1)
            do {
                _ = try await runtime.exec(ExecCommand(containerID: id, argv: ["true"]))
                Issue.record("exec into a stopped container succeeded")
            } catch {
                guard case .engine(409, let message)? = error as? ContainerRuntimeError else {
                    Issue.record("expected a 409, got \(error)")
                    return
                }
                #expect(message.contains("not running"), "message: \(message)")
            }
        }
    }

    @Test func stoppingTheContainerEndsAnAttachedExec() async throws {
        try await withContainer { runtime, id in
            let session = try await runtime.exec(
                ExecCommand(containerID: id, argv: ["sh", "-c", "echo ready; exec sleep 600"])
            )
            _ = try await ExecOutput.read(from: session, until: "ready")
            let started = ContinuousClock.now
            try await runtime.stopContainer(id: id, timeoutSeconds: 1)
            // The end of the stream, or a broken stream: either way promptly, not after the sleep.
            do {
                while try await session.nextOutput() != nil {}
            } catch {
                #expect(!(error is CancellationError), "\(error)")
            }
            #expect(ContinuousClock.now - started < .seconds(20))
            await session.close()
        }
    }

    @Test func largeOutputArrivesInFullWithBoundedBuffering() async throws {
        try await withContainer { runtime, id in
            let total = 64 * 1024 * 1024
            let session = try await runtime.exec(
                ExecCommand(containerID: id, argv: ["head", "-c", String(total), "/dev/zero"])
            )
            let output = try #require(session as? DockerExecSession).output
            // A reader that is away for a while: reading stops at the high watermark (plus at most one read
            // cycle) rather than taking in all 64 MiB.
            try await Task.sleep(for: .milliseconds(800))
            let buffered = output.bufferedByteCount
            #expect(buffered > 0)
            #expect(buffered <= DockerExecOutputQueue.highWatermark + 1024 * 1024, "buffered \(buffered)")

            var received = 0
            var chunks = 0
            let started = ContinuousClock.now
            while let chunk = try await session.nextOutput() {
                guard case .stdout(let bytes) = chunk else {
                    Issue.record("unexpected stderr")
                    continue
                }
                // Spot checks: a byte-by-byte check of 64 MiB would dominate the reading in a debug build.
                #expect(bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) == 0)
                #expect(bytes.getInteger(at: bytes.writerIndex - 1, as: UInt8.self) == 0)
                received += bytes.readableBytes
                chunks += 1
                // Slow at first, so that the backpressure cycles more than once.
                if chunks < 20 { try await Task.sleep(for: .milliseconds(10)) }
            }
            let elapsed = ContinuousClock.now - started
            #expect(received == total)
            #expect(try await session.exitStatus() == 0)
            print("exec output: \(Self.rate(bytes: received, in: elapsed)) reading \(total >> 20) MiB")
            await session.close()
        }
    }

    /// Input throughput; the figure is printed, not asserted. `GANTRY_EXEC_BENCH_MIB` sets the size
    /// (default 16 MiB, to keep the suite quick; 1024 for the benchmark figure) for comparison with
    /// `docker exec -i`.
    @Test func inputThroughput() async throws {
        let mebibytes = ProcessInfo.processInfo.environment["GANTRY_EXEC_BENCH_MIB"].flatMap(Int.init) ?? 16
        try await withContainer { runtime, id in
            let session = try await runtime.exec(ExecCommand(containerID: id, argv: ["sh", "-c", "cat > /dev/null"]))
            let chunk = ByteBuffer(repeating: 0, count: 64 * 1024)
            let count = mebibytes * 16
            let started = ContinuousClock.now
            for _ in 0..<count {
                try await session.send(chunk)
            }
            try await session.finishInput()
            while try await session.nextOutput() != nil {}
            let elapsed = ContinuousClock.now - started
            #expect(try await session.exitStatus() == 0)
            print("exec input: \(Self.rate(bytes: count * chunk.readableBytes, in: elapsed)) sending \(mebibytes) MiB")
            await session.close()
        }
    }

    static func rate(bytes: Int, in elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let megabytes = Double(bytes) / 1e6
        return String(
            format: "%.0f MB/s (%.2f s, %.2f s/GiB)", megabytes / seconds, seconds,
            seconds * 1_073_741_824 / Double(bytes))
    }
}

/// A fake engine on a unix socket, for what the real one does not do on demand: answers whose head and
/// stream share a packet, frames torn across reads, the pre-upgrade `200 OK`, refusals and silence.
@Suite(.timeLimit(.minutes(1)))
struct DockerExecConnectionTests {
    static let upgraded =
        "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
        + "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"

    @Test func streamBytesInTheAnswersPacketAndTornFramesAreRead() async throws {
        let hello = FakeEngine.frame(1, "hello ")
        let world = FakeEngine.frame(1, "world")
        let script: [[UInt8]] = [
            Array(Self.upgraded.utf8) + hello + FakeEngine.frame(2, "oops\n"),
            Array(world[0..<3]), Array(world[3..<10]), Array(world[10...]),
        ]
        try await FakeEngine.with(script: script) { engine in
            let connection = try await engine.connect(multiplexed: true)
            let output = try await ExecOutput.collect(from: connection.output)
            #expect(output.stdout == "hello world")
            #expect(output.stderr == "oops\n")

            let request = engine.receivedRequest
            #expect(request.hasPrefix("POST /v1.41/exec/abc/start HTTP/1.1\r\n"))
            for header in ["upgrade: tcp", "connection: upgrade", "content-type: application/json", "host: docker"] {
                #expect(request.lowercased().contains(header + "\r\n"), "missing \(header) in \(request)")
            }
            #expect(request.hasSuffix("\r\n\r\n{\"Detach\":false,\"Tty\":false}"))
            connection.channel.close(promise: nil)
        }
    }

    @Test func answerStreamAndEndArrivingTogetherLoseNothing() async throws {
        // The end of the stream can come in the same read cycle as the answer, before the HTTP decoder has
        // left the pipeline; the bytes it held must still come out.
        for _ in 0..<20 {
            let script = [Array(Self.upgraded.utf8) + FakeEngine.frame(1, "hi\n"), FakeEngine.frame(2, "bye\n")]
            try await FakeEngine.with(script: script, spacing: nil) { engine in
                let connection = try await engine.connect(multiplexed: true)
                let output = try await ExecOutput.collect(from: connection.output)
                #expect(output.stdout == "hi\n")
                #expect(output.stderr == "bye\n")
                connection.channel.close(promise: nil)
            }
        }
    }

    @Test func ttyStreamIsRaw() async throws {
        let raw = Array("\u{1}\u{0}\u{0}\u{0}not a frame\r\n".utf8)
        try await FakeEngine.with(script: [Array(Self.upgraded.utf8) + raw]) { engine in
            let connection = try await engine.connect(multiplexed: false)
            let output = try await ExecOutput.collect(from: connection.output)
            #expect(Array(output.stdout.utf8) == raw)
            connection.channel.close(promise: nil)
        }
    }

    @Test(arguments: [TimeAmount.milliseconds(20), nil])
    func olderEnginesAnswering200AreReadToo(spacing: TimeAmount?) async throws {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n"
        let script: [[UInt8]] = [
            Array(head.utf8) + FakeEngine.frame(1, "one "), FakeEngine.frame(2, "two "), FakeEngine.frame(1, "three"),
        ]
        for _ in 0..<(spacing == nil ? 20 : 1) {
            try await FakeEngine.with(script: script, spacing: spacing) { engine in
                let connection = try await engine.connect(multiplexed: true)
                let output = try await ExecOutput.collect(from: connection.output)
                #expect(output.stdout == "one three")
                #expect(output.stderr == "two ")
                connection.channel.close(promise: nil)
            }
        }
    }

    @Test func refusalCarriesTheEnginesMessage() async throws {
        let body = #"{"message":"Container abc is not running"}"#
        let answer =
            "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        try await FakeEngine.with(script: [Array((answer + body).utf8)]) { engine in
            await #expect(throws: ContainerRuntimeError.engine(status: 409, message: "Container abc is not running")) {
                _ = try await engine.connect(multiplexed: true)
            }
        }
    }

    @Test func silentEngineTimesOut() async throws {
        try await FakeEngine.with(script: []) { engine in
            let started = ContinuousClock.now
            await #expect {
                _ = try await engine.connect(multiplexed: true, timeout: .milliseconds(300))
            } throws: { error in
                guard case .unreachable = error as? ContainerRuntimeError else { return false }
                return true
            }
            // Far below the client's standard request timeout: the given one was honoured.
            #expect(ContinuousClock.now - started < .seconds(20))
        }
    }

    @Test func garbageWhereAFrameIsDueBreaksTheStream() async throws {
        let script = [Array(Self.upgraded.utf8) + FakeEngine.frame(1, "fine") + Array("HTTP/1.1 oops".utf8)]
        try await FakeEngine.with(script: script) { engine in
            let connection = try await engine.connect(multiplexed: true)
            guard case .stdout(let first)? = try await connection.output.next() else {
                Issue.record("expected the first frame")
                return
            }
            #expect(String(buffer: first) == "fine")
            await #expect(throws: DockerStreamFrameError.self) {
                _ = try await connection.output.next()
            }
            connection.channel.close(promise: nil)
        }
    }

    @Test func engineErrorInTheStreamIsThrown() async throws {
        let script = [Array(Self.upgraded.utf8) + FakeEngine.frame(1, "before") + FakeEngine.frame(3, "boom\n")]
        try await FakeEngine.with(script: script) { engine in
            let connection = try await engine.connect(multiplexed: true)
            #expect(try await connection.output.next() == .stdout(ByteBuffer(string: "before")))
            await #expect(throws: DockerStreamFrameError.engine("boom")) {
                _ = try await connection.output.next()
            }
            connection.channel.close(promise: nil)
        }
    }

    @Test func missingSocketIsUnreachable() async throws {
        let host = DockerEngineHost.unixSocket(path: "/tmp/gantry-no-such-\(UUID().uuidString).sock")
        await #expect {
            _ = try await DockerExecConnection.open(
                host: host, group: MultiThreadedEventLoopGroup.singleton, path: "/v1.41/exec/abc/start",
                body: ByteBuffer(), multiplexed: true, timeout: .seconds(1)
            )
        } throws: { error in
            guard case .unreachable = error as? ContainerRuntimeError else { return false }
            return true
        }
    }
}

/// What a process wrote, as text.
struct ExecOutput {
    var stdout = ""
    var stderr = ""

    /// Reads until the end of the output.
    static func collect(from session: any ContainerExecSession) async throws -> ExecOutput {
        var output = ExecOutput()
        while let chunk = try await session.nextOutput() {
            output.add(chunk)
        }
        return output
    }

    static func collect(from queue: DockerExecOutputQueue) async throws -> ExecOutput {
        var output = ExecOutput()
        while let chunk = try await queue.next() {
            output.add(chunk)
        }
        return output
    }

    /// Reads stdout until `marker` appears in what came after `earlier`; returns all of it.
    static func read(
        from session: any ContainerExecSession, until marker: String, after earlier: String = ""
    ) async throws -> String {
        var text = earlier
        while !text.dropFirst(earlier.count).contains(marker) {
            guard let chunk = try await session.nextOutput() else {
                throw TestFailure("output ended before \"\(marker)\"; it was: \(text)")
            }
            if case .stdout(let bytes) = chunk { text += String(buffer: bytes) }
        }
        return text
    }

    private mutating func add(_ chunk: ExecOutputChunk) {
        switch chunk {
        case .stdout(let bytes): stdout += String(buffer: bytes)
        case .stderr(let bytes): stderr += String(buffer: bytes)
        }
    }
}

/// Answers one exec start on a unix socket with scripted writes, `spacing` apart so that each arrives as
/// a read of its own (or all at once, closing right after, with no spacing), then closes.
final class FakeEngine: Sendable {
    let socketPath: String
    private let request = Mutex<[UInt8]>([])

    var receivedRequest: String {
        String(decoding: request.withLock { $0 }, as: UTF8.self)
    }

    private init(socketPath: String) {
        self.socketPath = socketPath
    }

    static func with(
        script: [[UInt8]], spacing: TimeAmount? = .milliseconds(20), _ body: (FakeEngine) async throws -> Void
    ) async throws {
        let engine = FakeEngine(socketPath: "/tmp/gantry-exec-\(UUID().uuidString.prefix(8)).sock")
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ScriptHandler(engine: engine, script: script, spacing: spacing))
                }
            }
            .bind(unixDomainSocketPath: engine.socketPath, cleanupExistingSocketFile: true).get()
        do {
            try await body(engine)
        } catch {
            try? await server.close()
            try? FileManager.default.removeItem(atPath: engine.socketPath)
            throw error
        }
        try? await server.close()
        try? FileManager.default.removeItem(atPath: engine.socketPath)
    }

    func connect(
        multiplexed: Bool, timeout: TimeAmount = .seconds(5)
    ) async throws(ContainerRuntimeError) -> DockerExecConnection {
        let body = ByteBuffer(string: multiplexed ? #"{"Detach":false,"Tty":false}"# : #"{"Detach":false,"Tty":true}"#)
        return try await DockerExecConnection.open(
            host: .unixSocket(path: socketPath), group: MultiThreadedEventLoopGroup.singleton,
            path: "/v1.41/exec/abc/start", body: body, multiplexed: multiplexed, timeout: timeout
        )
    }

    /// One engine frame: stream byte, three zeros, big-endian size, payload.
    static func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let size = UInt32(payload.count)
        return [
            stream, 0, 0, 0, UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF),
        ]
            + payload
    }

    private final class ScriptHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let engine: FakeEngine
        let script: [[UInt8]]
        let spacing: TimeAmount?
        var answered = false

        init(engine: FakeEngine, script: [[UInt8]], spacing: TimeAmount?) {
            self.engine = engine
            self.script = script
            self.spacing = spacing
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).readableBytesView)
            let whole = engine.request.withLock { request in
                request += bytes
                return request
            }
            // The request is in once its head and the body its Content-Length announces have arrived.
            let text = String(decoding: whole, as: UTF8.self)
            guard !answered, let headEnd = text.range(of: "\r\n\r\n") else { return }
            let length =
                text[..<headEnd.lowerBound].split(separator: "\r\n")
                .first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            guard text.utf8.count - text[..<headEnd.upperBound].utf8.count >= length else { return }
            answered = true
            guard !script.isEmpty else { return }  // the silent engine
            guard let spacing else {
                for part in script {
                    context.write(wrapOutboundOut(ByteBuffer(bytes: part)), promise: nil)
                }
                context.flush()
                context.close(promise: nil)
                return
            }
            let loop = context.eventLoop.assumeIsolated()
            for (index, part) in script.enumerated() {
                loop.scheduleTask(in: spacing * Int64(index)) {
                    context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(bytes: part)), promise: nil)
                }
            }
            loop.scheduleTask(in: spacing * Int64(script.count)) {
                context.close(promise: nil)
            }
        }
    }
}
