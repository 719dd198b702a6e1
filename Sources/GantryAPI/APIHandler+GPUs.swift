import Foundation
import GantryCore
import GantryEdge
import GantryOpenAPI
import GantryServices

extension APIHandler {
    public func listGPUs(_ input: Operations.ListGPUs.Input) async throws -> Operations.ListGPUs.Output {
        let listing = try await services.gpus.list(by: try await principal())
        return .ok(
            .init(
                body: .json(
                    .init(
                        total: listing.gpus.count, items: listing.gpus.map(Components.Schemas.Gpu.init),
                        refreshedAt: listing.refreshedAt))))
    }

    public func listGPUProfiles(
        _ input: Operations.ListGPUProfiles.Input
    ) async throws
        -> Operations.ListGPUProfiles.Output
    {
        _ = try await principal()
        let profiles = try await services.gpus.profiles()
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: profiles.profiles.map { row in
                            Components.Schemas.GPUProfile(
                                profile: row.profile.name, memoryGb: row.profile.memoryGB,
                                computeSlices: row.profile.computeSlices,
                                sliceFraction: "\(row.profile.computeSlices)/\(row.profile.totalSlices)",
                                total: row.total,
                                free: row.free)
                        },
                        wholeGpus: .init(total: profiles.wholeGPUsTotal, free: profiles.wholeGPUsFree)))))
    }
}
