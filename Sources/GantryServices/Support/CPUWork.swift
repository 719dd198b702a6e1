import NIOCore
import NIOPosix

/// CPU-heavy work (bcrypt, schema validation, parsing and checking a plugin's output) runs on
/// threads of its own rather than on Swift's cooperative pool. That pool has one thread per core
/// and serves every request, so a few expensive checks there would stall `/health` and every
/// other caller; here they queue for their own threads while requests keep being answered.
public enum CPUWork {
    /// One thread per core (at least two); work waits for a free one.
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(2, System.coreCount))
        pool.start()
        return pool
    }()

    /// Runs `work` on the CPU pool and returns its value.
    public static func run<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        do {
            return try await pool.runIfActive(work)
        } catch {
            // The pool is never shut down; should it be, the work still gets done, here.
            return work()
        }
    }
}
