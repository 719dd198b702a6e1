import Foundation
import Testing

@testable import GantryServices

#if canImport(Glibc)
    import Glibc
#endif

/// CPU-heavy work runs on threads of its own, at a lower priority than the threads that answer
/// requests, and leaves the caller's thread as it was.
struct CPUWorkTests {
    @Test func workRunsOnItsOwnLowerPriorityThreadsAndLeavesTheCallersAlone() async {
        #if os(Linux)
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            let callerNiceness = getpriority(which, 0)
            let (niceness, onMainThread) = await CPUWork.run { (getpriority(which, 0), Thread.isMainThread) }
            #expect(niceness >= CPUWork.niceness)
            #expect(!onMainThread)
            #expect(getpriority(which, 0) == callerNiceness)
        #endif
        // Values come back whole, however many callers wait at once.
        let sums = await withTaskGroup(of: Int.self) { group in
            for n in 1...16 { group.addTask { await CPUWork.run { (1...n).reduce(0, +) } } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(sums.sorted() == (1...16).map { $0 * ($0 + 1) / 2 })
    }
}
