import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// CPU-heavy work (bcrypt, schema validation, parsing and checking a plugin's output) runs on
/// threads of its own rather than on Swift's cooperative pool. That pool has one thread per core
/// and serves every request, so a few expensive checks there would stall `/health` and every
/// other caller; here they queue for their own threads, which the kernel schedules only when no
/// thread answering requests wants the core (Linux's `SCHED_IDLE`): a request that wakes up takes
/// the core at once instead of waiting out a time slice. A busy server therefore delays the heavy
/// work, never the light requests around it; on a server with spare cores nothing changes.
public enum CPUWork {
    /// One thread per core (at least two); work waits for a free one.
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(2, System.coreCount))
        pool.start()
        return pool
    }()

    /// The nice value of the pool's threads where `SCHED_IDLE` is refused.
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

    /// Linux's `SCHED_IDLE` policy (`<sched.h>` defines it only under `_GNU_SOURCE`).
    static let idlePolicy: Int32 = 5

    /// On Linux the scheduling policy and the nice value belong to the thread, and
    /// `sched_setscheduler(0, …)` / `setpriority(PRIO_PROCESS, 0, …)` set the calling thread's;
    /// lowering either needs no privilege. Elsewhere this does nothing.
    private static func lowerThisThreadsPriority() {
        #if os(Linux)
            guard sched_getscheduler(0) != idlePolicy else { return }
            var parameters = sched_param(sched_priority: 0)
            if sched_setscheduler(0, idlePolicy, &parameters) == 0 { return }
            if getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) < niceness {
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
            }
        #endif
    }
}
