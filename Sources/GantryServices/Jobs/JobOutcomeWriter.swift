import Foundation
import GantryCore
import GantryPorts
import Logging
import Synchronization

/// Writes attempt outcomes in batches: whatever finished while the previous write was committing
/// goes out together in one transaction. One commit per job is what limits a database queue;
/// batching needs no timer, since a lone outcome is written at once.
final class JobOutcomeWriter: Sendable {
    private struct State {
        var pending: [(outcome: JobOutcome, reply: CheckedContinuation<Bool, Never>)] = []
        var flushing = false
    }

    private let store: any JobStore & PluginStore
    private let worker: String
    private let logger: Logger
    private let state = Mutex(State())
    /// The most outcomes in one transaction.
    private let maxBatch = 256

    init(store: any JobStore & PluginStore, worker: String, logger: Logger) {
        self.store = store
        self.worker = worker
        self.logger = logger
    }

    /// Writes `outcome` if the worker still holds the job; returns whether it did. The write runs
    /// in a task of its own, so a cancelled caller (shutdown) still gets its outcome stored.
    func write(_ outcome: JobOutcome) async -> Bool {
        await withCheckedContinuation { reply in
            let startFlushing = state.withLock { state -> Bool in
                state.pending.append((outcome, reply))
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if startFlushing { Task { await self.flush() } }
        }
    }

    private func flush() async {
        while true {
            let batch = state.withLock { state -> [(outcome: JobOutcome, reply: CheckedContinuation<Bool, Never>)] in
                let batch = Array(state.pending.prefix(maxBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.flushing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            var written: Set<UUID> = []
            do {
                written = try await store.finishAttempts(batch.map(\.outcome), worker: worker)
            } catch {
                // The jobs keep their leases until they expire; housekeeping then retries them.
                logger.error(
                    "writing job outcomes failed", metadata: ["count": "\(batch.count)", "error": "\(error)"])
            }
            for entry in batch { entry.reply.resume(returning: written.contains(entry.outcome.job.id)) }
        }
    }
}

/// Plugin versions by name and version, for a short while: a version never changes, and looking
/// it up for every job costs a query per job.
final class PluginVersionCache: Sendable {
    private let entries = Mutex<[String: (plugin: Plugin, fetched: ContinuousClock.Instant)]>([:])
    private let lifetime: Duration

    init(lifetime: Duration = .seconds(30)) {
        self.lifetime = lifetime
    }

    func plugin(name: String, version: String, store: any JobStore & PluginStore) async throws -> Plugin? {
        let key = "\(name)\u{0}\(version)"
        let now = ContinuousClock.now
        if let cached = entries.withLock({ $0[key] }), now - cached.fetched < lifetime { return cached.plugin }
        guard let plugin = try await store.plugin(name: name, version: version) else {
            entries.withLock { _ = $0.removeValue(forKey: key) }
            return nil
        }
        entries.withLock { entries in
            if entries.count > 1024 { entries.removeAll(keepingCapacity: true) }
            entries[key] = (plugin, now)
        }
        return plugin
    }
}
