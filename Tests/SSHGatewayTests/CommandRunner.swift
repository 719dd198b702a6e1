import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a finished command left behind.
struct CommandResult: Sendable {
    var status: Int32
    var stdout: Data
    var stderr: String
    var elapsed: Duration

    var output: String {
        String(decoding: stdout, as: UTF8.self)
    }
}

/// A command started on this machine, with stdout and stderr going to files (no pipes to drain)
/// and a deadline after which it is killed, so a test can fail but never hang.
final class RunningCommand: @unchecked Sendable {
    // Process is not Sendable; it is only touched to kill it and to read its status once ended.
    private let process: Process
    private let stdoutURL: URL
    private let stderrURL: URL
    private let started = ContinuousClock.now
    private let ended: Task<Int32, Never>

    init(
        _ executable: String, _ arguments: [String], stdin: URL? = nil, environment: [String: String] = [:],
        in directory: URL, timeout: Duration = .seconds(60)
    ) throws {
        let name = UUID().uuidString
        stdoutURL = directory.appendingPathComponent("\(name).out")
        stderrURL = directory.appendingPathComponent("\(name).err")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process = Process()
        (process.executableURL, process.arguments) = ForegroundProcess.wrapped(executable, arguments)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        let status = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { process in
            status.continuation.yield(process.terminationStatus)
            status.continuation.finish()
        }
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(-pid, SIGKILL)
        }
        ended = Task {
            var iterator = status.stream.makeAsyncIterator()
            let code = await iterator.next() ?? -1
            watchdog.cancel()
            return code
        }
    }

    /// Signals the command (and the wrapper shell: the whole process group).
    func terminate(signal: Int32 = SIGKILL) {
        kill(-process.processIdentifier, signal)
    }

    func result() async throws -> CommandResult {
        let status = await ended.value
        let elapsed = ContinuousClock.now - started
        return CommandResult(
            status: status, stdout: try Data(contentsOf: stdoutURL),
            stderr: String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self), elapsed: elapsed)
    }

    static func run(
        _ executable: String, _ arguments: [String], stdin: URL? = nil, environment: [String: String] = [:],
        in directory: URL, timeout: Duration = .seconds(60)
    ) async throws -> CommandResult {
        try await RunningCommand(
            executable, arguments, stdin: stdin, environment: environment, in: directory, timeout: timeout
        ).result()
    }
}
