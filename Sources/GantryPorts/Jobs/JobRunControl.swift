import Foundation
import GantryCore
import Synchronization

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
