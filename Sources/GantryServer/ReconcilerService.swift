import Foundation
import GantryCore
import GantryServices
import Logging
import ServiceLifecycle
import Synchronization

/// Runs the reconciler as two loops. The action loop wakes on every poke (a use case asked for
/// work, a slot freed up, the interval passed), plans a pass over every workload kind and carries
/// its actions out as child tasks with bounded concurrency. The housekeeping loop runs every
/// interval: it renews the leadership lease, records node heartbeats and pokes the action loop.
/// Both stop on graceful shutdown.
struct ReconcilerService: Service {
    let reconciler: WorkloadReconciler
    let nodes: NodeService
    let trigger: ReconcileTrigger
    let interval: Duration
    let maxConcurrentActions: Int
    let logger: Logger
    /// Until when this replica holds the reconciler lease; the action loop reads it without a
    /// database round trip.
    private let leaderUntil = LeaseExpiry()

    init(
        reconciler: WorkloadReconciler, nodes: NodeService, trigger: ReconcileTrigger, interval: Duration,
        maxConcurrentActions: Int, logger: Logger
    ) {
        self.reconciler = reconciler
        self.nodes = nodes
        self.trigger = trigger
        self.interval = interval
        self.maxConcurrentActions = maxConcurrentActions
        self.logger = logger
    }

    var leaseDuration: Duration { max(interval * 5, .seconds(10)) }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await housekeepingLoop() }
                for await _ in trigger.stream {
                    if Task.isCancelled { break }
                    guard isLeader else { continue }
                    do {
                        let claimed = try await reconciler.claimWork(limit: maxConcurrentActions)
                        for work in claimed.work {
                            group.addTask {
                                await reconciler.perform(work)
                                // More work is waiting for this slot: take it now, not at the next tick.
                                if claimed.truncated { trigger.poke() }
                            }
                        }
                    } catch {
                        logger.warning("reconcile pass failed", metadata: ["error": "\(error)"])
                    }
                }
                group.cancelAll()
            }
        }
    }

    private var isLeader: Bool {
        leaderUntil.value.withLock { until in until.map { ContinuousClock.now < $0 } ?? false }
    }

    private func housekeepingLoop() async {
        while !Task.isCancelled {
            await renewLeadership()
            if isLeader {
                // The first poke after start rebuilds state from what the engine reports.
                trigger.poke()
                do {
                    try await nodes.heartbeat()
                } catch {
                    logger.warning("reconciler housekeeping failed", metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: interval)
        }
    }

    private func renewLeadership() async {
        let started = ContinuousClock.now
        let duration = leaseDuration
        do {
            let held = try await reconciler.acquireLeadership(for: duration.seconds)
            // Count the lease from before the request, and give it up a little early.
            leaderUntil.value.withLock { $0 = held ? started + duration - interval : nil }
        } catch {
            logger.warning("reconciler lease unavailable", metadata: ["error": "\(error)"])
            leaderUntil.value.withLock { $0 = nil }
        }
    }
}

/// Shared, lockable storage for the lease expiry (a `Mutex` cannot live in a copyable struct).
final class LeaseExpiry: Sendable {
    let value = Mutex<ContinuousClock.Instant?>(nil)
}
