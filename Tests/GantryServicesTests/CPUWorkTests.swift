import Foundation
import Testing

@testable import GantryServices

#if canImport(Glibc)
    import Glibc
#endif

/// CPU-heavy work runs on threads of its own that yield the core to any request that wakes up.
struct CPUWorkTests {
    @Test func workRunsOnItsOwnThreadsAtIdlePriorityAndLeavesTheCallersAlone() async {
        #if os(Linux)
            let callerPolicy = sched_getscheduler(0)
            let (policy, onMainThread) = await CPUWork.run { (sched_getscheduler(0), Thread.isMainThread) }
            #expect(policy == CPUWork.idlePolicy)
            #expect(!onMainThread)
            #expect(sched_getscheduler(0) == callerPolicy)
            #expect(callerPolicy != CPUWork.idlePolicy)
        #endif
        // Values come back whole, however many callers wait at once.
        let sums = await withTaskGroup(of: Int.self) { group in
            for n in 1...16 { group.addTask { await CPUWork.run { (1...n).reduce(0, +) } } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(sums.sorted() == (1...16).map { $0 * ($0 + 1) / 2 })
    }
}
