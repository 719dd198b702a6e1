import Foundation
import GantryServices
import Logging
import ServiceLifecycle

/// Runs the reconciler: a pass at start (rebuilding state after a restart), then every interval
/// and whenever a use case pokes the trigger. Work on single instances runs as child tasks with
/// bounded concurrency; everything is cancelled on graceful shutdown.
struct ReconcilerService: Service {
    let reconciler: InstanceReconciler
    let nodes: NodeService
    let trigger: ReconcileTrigger
    let interval: Duration
    let maxConcurrentInstances: Int
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    // The timer is just another poke, so there is one loop to reason about.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        trigger.poke()
                    }
                }
                trigger.poke()
                var lastHousekeeping = ContinuousClock.now - interval
                for await _ in trigger.stream {
                    if Task.isCancelled { break }
                    guard await isLeader() else { continue }
                    if ContinuousClock.now - lastHousekeeping >= interval {
                        lastHousekeeping = ContinuousClock.now
                        await housekeeping()
                    }
                    do {
                        let claimed = try await reconciler.claimWork(limit: maxConcurrentInstances)
                        for instance in claimed.instances {
                            group.addTask {
                                await reconciler.reconcile(instance)
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

    private func isLeader() async -> Bool {
        do {
            return try await reconciler.acquireLeadership(for: max(interval.seconds * 5, 10))
        } catch {
            logger.warning("reconciler lease unavailable", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Node heartbeats and the orphan sweep, at most once per interval.
    private func housekeeping() async {
        do {
            try await nodes.heartbeat()
            try await reconciler.removeOrphans()
        } catch {
            logger.warning("reconciler housekeeping failed", metadata: ["error": "\(error)"])
        }
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
