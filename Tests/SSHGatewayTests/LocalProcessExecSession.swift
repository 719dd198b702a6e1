import Foundation
import GantryPorts
import GantryServices
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `ContainerExecSession` that runs the command on this machine, with pipes for stdin, stdout
/// and stderr (never a TTY), standing in for Docker's exec API in tests.
final class LocalProcessExecSession: ContainerExecSession {
    private let process: Process
    private let stdin: any Channel
    private let output: OutputQueue
    private let termination: Termination
    private let closeCalls = Atomic<Int>(0)

    /// How often the gateway called `close()`.
    var closeCount: Int {
        closeCalls.load(ordering: .relaxed)
    }

    private init(process: Process, stdin: any Channel, output: OutputQueue, termination: Termination) {
        self.process = process
        self.stdin = stdin
        self.output = output
        self.termination = termination
    }

    static func start(
        argv: [String], environment: [String], group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> LocalProcessExecSession {
        guard let executable = argv.first else {
            throw CocoaError(.executableNotLoadable)
        }
        let process = Process()
        (process.executableURL, process.arguments) = ForegroundProcess.wrapped(executable, Array(argv.dropFirst()))
        var variables = ProcessInfo.processInfo.environment
        for entry in environment {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 {
                variables[String(parts[0])] = String(parts[1])
            }
        }
        process.environment = variables
        let input = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = input
        process.standardOutput = stdout
        process.standardError = stderr
        let termination = Termination()
        process.terminationHandler = { process in
            let status = process.terminationStatus
            termination.finish(process.terminationReason == .exit ? status : 128 + status)
        }
        try process.run()

        // NIO takes ownership of its own copies; Foundation keeps (and closes) the originals.
        let stdinFD = try duplicate(input.fileHandleForWriting)
        let stdoutFD = try duplicate(stdout.fileHandleForReading)
        let stderrFD = try duplicate(stderr.fileHandleForReading)
        let bootstrap = NIOPipeBootstrap(group: group)
        let stdinChannel = try await bootstrap.takingOwnershipOfDescriptor(output: stdinFD).get()
        let queue = OutputQueue(producers: 2)
        for (descriptor, isError) in [(stdoutFD, false), (stderrFD, true)] {
            let reader = try await bootstrap.takingOwnershipOfDescriptor(input: descriptor) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, Never>(wrappingChannelSynchronously: channel)
                }
            }
            Task {
                try? await reader.executeThenClose { inbound in
                    for try await bytes in inbound {
                        guard await queue.push(isError ? .stderr(bytes) : .stdout(bytes)) else {
                            break
                        }
                    }
                }
                await queue.producerFinished()
            }
        }
        return LocalProcessExecSession(process: process, stdin: stdinChannel, output: queue, termination: termination)
    }

    private static func duplicate(_ handle: FileHandle) throws -> CInt {
        let copy = fcntl(handle.fileDescriptor, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else {
            throw POSIXError(.EBADF)
        }
        try handle.close()
        return copy
    }

    func nextOutput() async throws -> ExecOutputChunk? {
        await output.pop()
    }

    func send(_ bytes: ByteBuffer) async throws {
        try await stdin.writeAndFlush(bytes).get()
    }

    func finishInput() async throws {
        try await stdin.close().get()
    }

    func resize(_ size: TerminalSize) async throws {}

    func exitStatus() async throws -> Int32? {
        await termination.status()
    }

    func close() async {
        closeCalls.add(1, ordering: .relaxed)
        if !termination.hasFinished {
            // The process leads its own process group (Foundation spawns it so); take its children too.
            kill(-process.processIdentifier, SIGKILL)
        }
        try? await stdin.close().get()
        await output.close()
    }
}

/// A process's exit status, awaited by any number of callers.
private final class Termination: Sendable {
    private let state = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))

    var hasFinished: Bool {
        state.withLock { $0.status != nil }
    }

    func finish(_ status: Int32) {
        let waiters = state.withLock { state in
            state.status = status
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters {
            waiter.resume(returning: status)
        }
    }

    func status() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status = state.withLock { state -> Int32? in
                if state.status == nil {
                    state.waiters.append(continuation)
                }
                return state.status
            }
            if let status {
                continuation.resume(returning: status)
            }
        }
    }
}
