import GantryPorts
import Synchronization

/// How full the queue is, measured at most once a second and counted up with each submission
/// since. While the queue is far from its limit, submissions skip the exact count in their
/// transaction (it grows with the queue); near the limit every submission counts exactly.
final class QueueDepthEstimate: Sendable {
    private struct State {
        var measured: Int?
        var measuredAt: ContinuousClock.Instant?
        var addedSince = 0
    }

    private let state = Mutex(State())
    private let refresh = Duration.seconds(1)

    /// Whether the queue may be within a tenth of `maxQueued`, so the exact check is needed.
    func mayBeNearFull(maxQueued: Int, store: any JobStore) async throws -> Bool {
        let now = ContinuousClock.now
        let current = state.withLock { state -> Int? in
            guard let measured = state.measured, let at = state.measuredAt, now - at < refresh else { return nil }
            return measured + state.addedSince
        }
        let depth: Int
        if let current {
            depth = current
        } else {
            depth = try await store.countQueuedJobs(upTo: maxQueued)
            state.withLock { $0 = State(measured: depth, measuredAt: now, addedSince: 0) }
        }
        return depth >= maxQueued - max(1, maxQueued / 10)
    }

    func added() { state.withLock { $0.addedSince += 1 } }
}
