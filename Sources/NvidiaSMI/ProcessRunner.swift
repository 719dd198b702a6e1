import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a command printed and how it ended.
struct ProcessOutput: Sendable, Equatable {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

enum ProcessRunError: Error, Sendable, Equatable {
    case launchFailed(String)
    case timedOut
}

/// Runs a short command with a deadline. The blocking work (spawn, reading the pipes, waiting)
/// happens on a thread of its own so it never holds one of the cooperative pool's few threads.
enum ProcessRunner {
    /// Output beyond this is dropped; `nvidia-smi -q -x` for eight GPUs is about 1 MiB.
    static let outputLimit = 32 << 20

    static func run(executablePath: String, arguments: [String], timeout: Duration) async throws -> ProcessOutput {
        let cancellation = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ProcessOutput, any Error>) in
                let thread = Thread {
                    continuation.resume(
                        with: Result {
                            try runBlocking(
                                executablePath: executablePath, arguments: arguments, timeout: timeout,
                                cancellation: cancellation)
                        })
                }
                thread.name = "gantry.process-runner"
                thread.start()
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    private static func runBlocking(
        executablePath: String, arguments: [String], timeout: Duration, cancellation: CancellationFlag
    ) throws -> ProcessOutput {
        if cancellation.isCancelled { throw CancellationError() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executablePath)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw ProcessRunError.launchFailed(String(describing: error))
        }
        let deadline = ContinuousClock.now.advanced(by: timeout)

        // The pipes must outlive the raw descriptors read below.
        return try withExtendedLifetime((outputPipe, errorPipe)) {
            var reader = PipeReader(
                output: outputPipe.fileHandleForReading.fileDescriptor,
                error: errorPipe.fileHandleForReading.fileDescriptor, limit: outputLimit)
            let drained = reader.drain(until: deadline, isCancelled: { cancellation.isCancelled })
            // Closed pipes do not prove an exit: wait for it, still within the deadline.
            if !drained || exited.wait(timeout: dispatchTime(deadline)) == .timedOut {
                forceStop(process)
                // A process stuck in the driver can ignore SIGKILL for a while; do not wait on it.
                _ = exited.wait(timeout: .now() + .seconds(2))
                if cancellation.isCancelled { throw CancellationError() }
                throw ProcessRunError.timedOut
            }
            // A crash reads as the shell shows it, 128 + signal, so it cannot pass for a documented status.
            let status =
                process.terminationReason == .uncaughtSignal
                ? 128 + process.terminationStatus : process.terminationStatus
            return ProcessOutput(status: status, standardOutput: reader.outputText, standardError: reader.errorText)
        }
    }

    /// Foundation starts children in their own process group on Linux, so the whole group goes,
    /// including anything a wrapper script started (it would otherwise keep the pipes open).
    private static func forceStop(_ process: Process) {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        _ = getpgid(pid) == pid ? killpg(pid, SIGKILL) : kill(pid, SIGKILL)
    }

    private static func dispatchTime(_ instant: ContinuousClock.Instant) -> DispatchTime {
        let remaining = ContinuousClock.now.duration(to: instant)
        return remaining > .zero ? .now() + remaining / .seconds(1) : .now()
    }
}

/// Set from the task's cancellation handler, read by the runner thread.
private final class CancellationFlag: Sendable {
    private let state = Atomic<Bool>(false)

    func cancel() { state.store(true, ordering: .relaxed) }

    var isCancelled: Bool { state.load(ordering: .relaxed) }
}

/// Reads stdout and stderr together with `poll`, so neither pipe can fill up and stall the child,
/// and the deadline holds even while the child prints nothing.
private struct PipeReader {
    private var descriptors: [Int32]
    private var buffers: [[UInt8]] = [[], []]
    private var open: [Bool] = [true, true]
    private let limit: Int

    init(output: Int32, error: Int32, limit: Int) {
        descriptors = [output, error]
        self.limit = limit
    }

    var outputText: String { String(decoding: buffers[0], as: UTF8.self) }
    var errorText: String { String(decoding: buffers[1], as: UTF8.self) }

    /// True once both pipes reached end of file; false at the deadline or on cancellation.
    mutating func drain(until deadline: ContinuousClock.Instant, isCancelled: () -> Bool) -> Bool {
        while open.contains(true) {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero || isCancelled() { return false }
            // Wake at least every 100 ms to notice cancellation.
            let waitMilliseconds = Int32((min(remaining, .milliseconds(100)) / .milliseconds(1)).rounded(.up))
            var fds = descriptors.indices.map { index in
                pollfd(fd: open[index] ? descriptors[index] : -1, events: Int16(POLLIN), revents: 0)
            }
            let ready = poll(&fds, nfds_t(fds.count), max(waitMilliseconds, 1))
            if ready < 0 {
                if errno == EINTR { continue }
                return false
            }
            for index in fds.indices where open[index] && fds[index].revents != 0 {
                readAvailable(index)
            }
        }
        return true
    }

    private mutating func readAvailable(_ index: Int) {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { read(descriptors[index], $0.baseAddress, $0.count) }
        if count > 0 {
            if buffers[index].count < limit {
                buffers[index].append(contentsOf: chunk[0..<min(count, limit - buffers[index].count)])
            }
        } else if count == 0 || errno != EINTR && errno != EAGAIN {
            open[index] = false
        }
    }
}
