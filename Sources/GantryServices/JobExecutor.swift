import Foundation
import GantryCore
import Synchronization

/// What one attempt's process did, before Gantry judges it.
public struct JobRunOutput: Sendable, Equatable {
    public var exitCode: Int?
    public var stdout: String
    /// The end of stderr without progress lines.
    public var stderrTail: String
    public var outOfMemory: Bool

    public init(exitCode: Int?, stdout: String, stderrTail: String, outOfMemory: Bool = false) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderrTail = stderrTail
        self.outOfMemory = outOfMemory
    }
}

/// Stops a running attempt from outside: cancel, lease lost, shutdown.
public final class JobRunControl: Sendable {
    public enum StopReason: Sendable, Equatable {
        case cancelled(String)
        case leaseLost
        case shuttingDown
    }

    private let state = Mutex<(reason: StopReason?, handlers: [@Sendable () async -> Void])>((nil, []))

    public init() {}

    public var stopReason: StopReason? { state.withLock { $0.reason } }

    /// Records why the attempt must end and runs the registered stop handlers once.
    public func stop(_ reason: StopReason) async {
        for handler in markStopped(reason) { await handler() }
    }

    /// Records the reason at once and returns the stop handlers still to run (empty when the
    /// attempt was already stopped). For callers that cannot wait, such as cancellation handlers.
    public func markStopped(_ reason: StopReason) -> [@Sendable () async -> Void] {
        state.withLock { value -> [@Sendable () async -> Void] in
            guard value.reason == nil else { return [] }
            value.reason = reason
            defer { value.handlers = [] }
            return value.handlers
        }
    }

    /// Runs `handler` when the attempt is stopped (at once if it already was).
    public func onStop(_ handler: @escaping @Sendable () async -> Void) async {
        let runNow = state.withLock { value -> Bool in
            if value.reason != nil { return true }
            value.handlers.append(handler)
            return false
        }
        if runNow { await handler() }
    }
}

/// Runs one attempt of a job: the plugin's container with the input, to completion.
public protocol JobExecutor: Sendable {
    /// Throws `JobFailure` for failures of the run itself (engine errors: `.containerError`,
    /// the timeout: `.timeout`, output over the limit: `.invalidOutput`); a process that ran and
    /// exited, with any code, is returned.
    func run(
        _ job: Job, attempt: Int, plugin: Plugin, control: JobRunControl, progress: @escaping @Sendable (Double) -> Void
    ) async throws(JobFailure) -> JobRunOutput
}
