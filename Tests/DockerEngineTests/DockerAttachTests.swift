import Foundation
import GantryCore
import GantryPorts
import GantryTestSupport
import NIOCore
import Synchronization
import Testing

@testable import DockerEngine

/// Containers run to completion with their streams attached (`docker run -i --rm`), against the real
/// engine, in containers of `gantry-test/busybox:latest` (whose `gantry-init` passes stdin on to the
/// command). Each test labels its containers with its own id and removes them at the end.
@Suite(.enabled(if: DockerTestSupport.engineConfigured, "no Docker engine configured"), .timeLimit(.minutes(1)))
struct DockerAttachTests {
    static let image = "gantry-test/busybox:latest"

    /// A job container: stdin open for one attach, no published port.
    static func spec(_ scope: ContainerTestScope, _ suffix: String, command: [String]) -> ContainerSpec {
        ContainerSpec(
            name: "gantry-test-\(scope.id.prefix(8))-attach-\(suffix)", image: image, command: command,
            labels: scope.labels, cpu: 1, memoryMB: 64, pidsLimit: 64, containerPort: 0, hostPort: 0,
            opensStdin: true
        )
    }

    /// Creates the container for `command` (as `configure` leaves its spec), attaches to it and starts it,
    /// then runs `body` with the session, which is closed afterwards. The container is removed whatever
    /// happens.
    private func withJob(
        _ command: [String], configure: (inout ContainerSpec) -> Void = { _ in },
        _ body: (DockerEngineClient, String, DockerAttachSession) async throws -> Void
    ) async throws {
        try await ContainerTestScope.run { scope in
            var spec = Self.spec(scope, "job", command: command)
            configure(&spec)
            let id = try await scope.runtime.createContainer(spec)
            let session = try #require(
                try await scope.runtime.attachAndStart(containerID: id) as? DockerAttachSession)
            do {
                try await body(scope.runtime, id, session)
            } catch {
                await session.close()
                throw error
            }
            await session.close()
        }
    }

    @Test func stdinRoundTripsThroughTheContainerWithASlowReader() async throws {
        try await withJob(["cat"]) { _, _, session in
            let total = 6 << 20
            let chunkSize = 64 << 10
            let stream = Self.pattern(total: total)
            let sent = SentBytes()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for offset in stride(from: 0, to: total, by: chunkSize) {
                        try await session.send(stream.getSlice(at: offset, length: chunkSize) ?? ByteBuffer())
                        sent.add(chunkSize)
                    }
                    try await session.finishInput()
                }
                // A reader that is away for a while: reading stops at the high watermark, `cat` blocks on
                // its stdout and stops reading its stdin, and the sender is held back in turn.
                try await Task.sleep(for: .milliseconds(800))
                let buffered = session.output.bufferedByteCount
                #expect(buffered <= DockerExecOutputQueue.highWatermark + 1024 * 1024, "buffered \(buffered)")
                #expect(sent.count < total, "the sender was not held back")

                var received = 0
                var chunks = 0
                var firstMismatch: Int?
                while let chunk = try await session.nextOutput() {
                    guard case .stdout(let bytes) = chunk else {
                        Issue.record("unexpected stderr: \(chunk)")
                        continue
                    }
                    // Compared whole (a memcmp), not byte by byte, which is slow in a debug build.
                    if firstMismatch == nil, stream.getSlice(at: received, length: bytes.readableBytes) != bytes {
                        firstMismatch = received
                    }
                    received += bytes.readableBytes
                    chunks += 1
                    // Slow at first, so that the backpressure cycles more than once.
                    if chunks < 30 { try await Task.sleep(for: .milliseconds(5)) }
                }
                try await group.waitForAll()
                #expect(received == total)
                #expect(firstMismatch == nil, "wrong bytes in the chunk at \(firstMismatch ?? -1)")
            }
            #expect(try await session.exitStatus() == 0)
        }
    }

    @Test(arguments: [0, 3])
    func stdoutAndStderrArriveApartAndTheExitCodeIsReported(code: Int) async throws {
        // The input is sent while the container still sleeps: it waits in the engine until `cat` reads it.
        try await withJob(["sh", "-c", "sleep 1; cat; echo err >&2; exit \(code)"]) { _, _, session in
            try await session.send(ByteBuffer(string: "hello\n"))
            try await session.send(ByteBuffer(string: "world\n"))
            try await session.finishInput()
            try await session.finishInput()  // finishing twice is fine
            let output = try await ExecOutput.collect(from: session)
            #expect(output.stdout == "hello\nworld\n")
            #expect(output.stderr == "err\n")
            #expect(try await session.exitStatus() == Int32(code))
            #expect(try await session.exitStatus() == Int32(code), "asking again gives the same answer")
            try await session.resize(TerminalSize(columns: 100, rows: 40))  // nothing to size; no error
        }
    }

    @Test func inputToAContainerThatHasExitedFailsInsteadOfHanging() async throws {
        try await withJob(["sh", "-c", "echo bye"]) { _, _, session in
            let output = try await ExecOutput.collect(from: session)
            #expect(output.stdout == "bye\n")
            // The engine no longer reads the connection; without the session closing it, writes would
            // pile up in the socket buffers and then wait forever.
            let started = ContinuousClock.now
            let outcome = await Self.sendUntilFailure(session, upTo: 64 << 20)
            #expect(outcome.failed, "sending \(outcome.sent) bytes to an exited container succeeded")
            try? await session.finishInput()
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(try await session.exitStatus() == 0)
        }
    }

    @Test func aSenderBlockedByAContainerThatNeverReadsIsReleasedWhenItExits() async throws {
        try await withJob(["sh", "-c", "sleep 1; echo bye"]) { _, _, session in
            let started = ContinuousClock.now
            async let outcome = Self.sendUntilFailure(session, upTo: 256 << 20)
            let output = try await ExecOutput.collect(from: session)
            let (failed, sent) = await outcome
            #expect(output.stdout == "bye\n")
            #expect(failed, "sending \(sent) bytes to a container that never read them succeeded")
            #expect(ContinuousClock.now - started < .seconds(20))
            #expect(try await session.exitStatus() == 0)
        }
    }

    @Test func readOnlyRootWithAWritableTmpfs() async throws {
        let script = """
            if touch /written 2>/dev/null; then echo root-writable; else echo root-read-only; fi
            echo tmp-ok > /tmp/probe && cat /tmp/probe
            """
        try await withJob(
            ["sh", "-c", script],
            configure: { spec in
                spec.readOnlyRootFilesystem = true
                spec.tmpfs = ["/tmp": "rw,noexec,nosuid,size=1m"]
            }
        ) { _, _, session in
            try await session.finishInput()
            let output = try await ExecOutput.collect(from: session)
            #expect(output.stdout == "root-read-only\ntmp-ok\n", "stderr: \(output.stderr)")
            #expect(try await session.exitStatus() == 0)
        }
    }

    @Test func networkNoneLeavesOnlyLoopback() async throws {
        try await withJob(
            ["ls", "/sys/class/net"],
            configure: { spec in
                spec.network = "none"
            }
        ) { _, _, session in
            try await session.finishInput()
            let output = try await ExecOutput.collect(from: session)
            #expect(output.stdout == "lo\n", "stderr: \(output.stderr)")
            #expect(try await session.exitStatus() == 0)
        }
    }

    @Test func goingOverTheMemoryLimitIsReportedAsOOMKilled() async throws {
        // A 100 MB shell variable in a 16 MB container.
        let script = #"x=$(head -c 100000000 /dev/zero | tr '\0' x); echo ${#x}"#
        try await withJob(
            ["sh", "-c", script],
            configure: { spec in
                spec.memoryMB = 16
            }
        ) { runtime, id, session in
            try await session.finishInput()
            let output = try await ExecOutput.collect(from: session)
            #expect(!output.stdout.contains("100000000"), "the allocation succeeded")
            #expect(try await session.exitStatus() == 137)
            // The engine records the OOM kill from the cgroup's event, which can trail the exit by
            // many seconds on a loaded host (a full parallel test run on 2 cores took over 5 s).
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    try await runtime.inspectContainer(id: id)?.oomKilled == true
                })
            #expect(try await runtime.inspectContainer(id: id)?.exitCode == 137)
        }
    }

    @Test func aContainerThatFitsItsLimitIsNotOOMKilled() async throws {
        try await withJob(["true"]) { runtime, id, session in
            _ = try await ExecOutput.collect(from: session)
            #expect(try await session.exitStatus() == 0)
            #expect(try await runtime.inspectContainer(id: id)?.oomKilled == false)
        }
    }

    @Test func startFailureIsThrownAndClosesTheConnection() async throws {
        try await ContainerTestScope.run { scope in
            var spec = Self.spec(scope, "bad-user", command: ["true"])
            // `gantry-init` runs any command, so a missing program is an exit status (127), not a failed
            // start; a user the image does not know fails the start itself.
            spec.user = "gantry-no-such-user"
            let id = try await scope.runtime.createContainer(spec)
            var attached: (any Channel)?
            do {
                _ = try await scope.runtime.attachAndStart(containerID: id) { attached = $0 }
                Issue.record("the start of a container with an unknown user succeeded")
            } catch {
                #expect("\(error)".contains("gantry-no-such-user"), "\(error)")
            }
            let channel = try #require(attached, "the engine did not attach before the start")
            #expect(!channel.isActive, "the connection was left open")
            let observation = try #require(try await scope.runtime.inspectContainer(id: id))
            #expect(observation.status == .created)
        }
    }

    @Test func missingProgramIsAnExitStatusUnderTheInitShim() async throws {
        try await withJob(["/nonexistent"]) { _, _, session in
            try await session.finishInput()
            let output = try await ExecOutput.collect(from: session)
            #expect(output.stderr.contains("not found"), "output: \(output)")
            #expect(try await session.exitStatus() == 127)
        }
    }

    @Test func missingContainerIsNotFound() async throws {
        let runtime = try DockerTestSupport.makeClient()
        let name = "gantry-test-no-such-\(UUID().uuidString)"
        await #expect(throws: ContainerRuntimeError.notFound("container \(name)")) {
            _ = try await runtime.attachAndStart(containerID: name)
        }
    }

    @Test func stoppingTheContainerEndsTheOutputWithANonZeroStatus() async throws {
        try await withJob(["sh", "-c", "echo ready; exec sleep 600"]) { runtime, id, session in
            _ = try await ExecOutput.read(from: session, until: "ready")
            let started = ContinuousClock.now
            try await runtime.stopContainer(id: id, timeoutSeconds: 1)
            while try await session.nextOutput() != nil {}
            let status = try await session.exitStatus()
            #expect(status != nil && status != 0, "status \(String(describing: status))")
            #expect(ContinuousClock.now - started < .seconds(20))
        }
    }

    /// Sends 64 KiB chunks until a send fails or `limit` bytes have gone; returns whether one failed.
    static func sendUntilFailure(
        _ session: any ContainerExecSession, upTo limit: Int
    ) async -> (failed: Bool, sent: Int) {
        let chunk = ByteBuffer(repeating: 0x61, count: 64 << 10)
        var sent = 0
        while sent < limit {
            do {
                try await session.send(chunk)
            } catch {
                return (true, sent)
            }
            sent += chunk.readableBytes
        }
        return (false, sent)
    }

    /// `total` bytes that change every 4 KiB, so that lost, repeated or reordered chunks show.
    static func pattern(total: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(total)
        for block in 0..<(total / 4096) {
            buffer.writeRepeatingByte(UInt8(truncatingIfNeeded: block &* 37 &+ 11), count: 4096)
        }
        return buffer
    }
}

/// Bytes a sender task has handed on, read by the test while it runs.
private final class SentBytes: Sendable {
    private let total = Mutex(0)

    var count: Int { total.withLock { $0 } }

    func add(_ bytes: Int) {
        total.withLock { $0 += bytes }
    }
}
