import Foundation
import GantryServices
import Logging
import ServiceLifecycle

/// The background work of GPU sessions: the TTL reaper (which also notices session containers
/// that died and removes orphans) and the periodic GPU inventory refresh. Both run at once on
/// start, so a restarted server catches up on sessions that expired while it was down.
struct SessionLoopsService: Service {
    let sessions: SessionService
    let gpus: GPUService
    let ttlCheckInterval: Duration
    let gpuRefreshInterval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await reaperLoop() }
                group.addTask { await inventoryLoop() }
            }
        }
    }

    private func reaperLoop() async {
        while !Task.isCancelled {
            do {
                let ended = try await sessions.expireDue()
                if ended > 0 { logger.info("expired sessions ended", metadata: ["count": "\(ended)"]) }
                try await sessions.observeContainers()
            } catch {
                logger.warning("session reaper pass failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: ttlCheckInterval)
        }
    }

    private func inventoryLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: gpuRefreshInterval)
            do {
                try await gpus.refresh()
            } catch {
                logger.warning("GPU inventory refresh failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
