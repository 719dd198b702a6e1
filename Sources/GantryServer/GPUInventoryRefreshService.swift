import Foundation
import GantryServices
import Logging
import ServiceLifecycle

/// The periodic GPU inventory refresh. (Sessions' TTLs and containers are the reconciler's.)
struct GPUInventoryRefreshService: Service {
    let gpus: GPUService
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                do {
                    try await gpus.refresh()
                } catch {
                    logger.warning("GPU inventory refresh failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
