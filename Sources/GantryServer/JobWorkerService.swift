import GantryServices
import ServiceLifecycle

/// Runs this server's job workers next to the HTTP server. On graceful shutdown running attempts
/// are stopped and their jobs handed back to the queue for the next worker.
struct JobWorkerService: Service {
    let pool: JobWorkerPool

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await pool.run()
        }
    }
}
