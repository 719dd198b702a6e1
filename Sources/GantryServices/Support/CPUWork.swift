import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// CPU-heavy work (bcrypt, schema validation, parsing and checking a plugin's output) runs on
/// threads of its own rather than on Swift's cooperative pool. That pool has one thread per core
/// and serves every request, so a few expensive checks there would stall `/health` and every
/// other caller; here they queue for their own threads, which also run at a lower priority (nice
/// 10), so that on a busy machine the threads answering requests are scheduled first.
public enum CPUWork {
    /// One thread per core (at least two); work waits for a free one.
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(2, System.coreCount))
        pool.start()
        return pool
    }()

    /// The nice value of the pool's threads.
    static let niceness: Int32 = 10

    /// Runs `work` on the CPU pool and returns its value.
    public static func run<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        do {
            return try await pool.runIfActive {
                lowerThisThreadsPriority()
                return work()
            }
        } catch {
            // The pool is never shut down; should it be, the work still gets done, here.
            return work()
        }
    }

    /// On Linux the nice value belongs to the thread, and `setpriority(PRIO_PROCESS, 0, …)` sets
    /// the calling thread's; lowering it needs no privilege. Elsewhere this does nothing.
    private static func lowerThisThreadsPriority() {
        #if os(Linux)
            if getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) < niceness {
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
            }
        #endif
    }
}
