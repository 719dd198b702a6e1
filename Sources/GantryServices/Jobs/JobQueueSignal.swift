import Synchronization

/// Wakes a waiting loop early: job workers when a job is queued or a slot frees, so work does not
/// wait for the next poll. Signals made while nobody waits collapse into one.
public final class JobQueueSignal: Sendable {
    private struct State {
        var pending = false
        /// The current wait ended (timeout, cancellation) before its waiter was in place.
        var released = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns when signalled (or if a signal is pending), after `timeout`, or when the task is
    /// cancelled. One task waits at a time.
    public func wait(timeout: Duration) async {
        state.withLock { $0.released = false }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.releaseWaiter()
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.pending {
                    state.pending = false
                    return true
                }
                if state.released { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Ends a wait without a signal (timeout or cancellation).
    private func releaseWaiter() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.released = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}
