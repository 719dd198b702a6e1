import ArgumentParser
import Foundation
import GantryOpenAPI
import Testing

@testable import GantryCLI

@Suite struct GPURenderingTests {
    let migGPU = Components.Schemas.Gpu(
        node: "node-1", index: 0, uuid: "GPU-aaaa", model: "NVIDIA A100-SXM4-80GB", memoryMb: 81920,
        migMode: .enabled,
        migDevices: [
            .init(
                uuid: "MIG-1111", profile: "3g.40gb", gpuInstanceId: 1, computeInstanceId: 0, memoryMb: 40192,
                inUse: true,
                heldBy: .init(sessionId: "1a2b3c4d-0000-4000-8000-000000000001", userId: "alice")),
            .init(
                uuid: "MIG-2222-longer", profile: "1g.10gb", gpuInstanceId: 2, computeInstanceId: 0,
                memoryMb: 9728, inUse: false),
        ],
        inUse: false)
    let wholeGPU = Components.Schemas.Gpu(
        node: "node-2", index: 1, uuid: "GPU-bbbb", model: "NVIDIA L4", memoryMb: 23034, migMode: .unsupported,
        migDevices: [], inUse: true, heldBy: .init(sessionId: "2b3c4d5e-0000-4000-8000-000000000002"))
    let freeGPU = Components.Schemas.Gpu(
        node: "node-2", index: 2, uuid: "GPU-cccc", model: "NVIDIA H100 80GB HBM3", memoryMb: 81559,
        migMode: .disabled, migDevices: [], inUse: false)

    @Test func gpusListTheirMIGDevicesIndentedBeneath() {
        #expect(
            GPURendering.table([migGPU, wholeGPU, freeGPU]) == """
                NODE     IDX   MODEL                    MEMORY   MIG           HELD BY
                node-1     0   NVIDIA A100-SXM4-80GB     80 GB   enabled       -
                    PROFILE   UUID              HELD BY
                    3g.40gb   MIG-1111          alice/1a2b3c4d
                    1g.10gb   MIG-2222-longer   free
                node-2     1   NVIDIA L4               22.5 GB   unsupported   2b3c4d5e
                node-2     2   NVIDIA H100 80GB HBM3   79.6 GB   disabled      free

                """)
    }

    @Test func noGPUsIsJustTheHeader() {
        #expect(GPURendering.table([]) == "NODE   IDX   MODEL   MEMORY   MIG   HELD BY\n")
    }

    @Test func holdersAreUserAndSessionPrefixOrFree() {
        #expect(GPURendering.holder(nil, inUse: false) == "free")
        #expect(GPURendering.holder(nil, inUse: true) == "in use")
        #expect(
            GPURendering.holder(.init(sessionId: "1a2b3c4d-0000-4000-8000-000000000001", userId: "bob"), inUse: true)
                == "bob/1a2b3c4d")
    }

    @Test func profilesTableEndsWithWholeGPUs() {
        let list = Components.Schemas.GPUProfileList(
            items: [
                .init(profile: "1g.10gb", memoryGb: 10, computeSlices: 1, sliceFraction: "1/7", total: 7, free: 5),
                .init(profile: "3g.40gb", memoryGb: 40, computeSlices: 3, sliceFraction: "3/7", total: 2, free: 0),
                .init(profile: "7g.80gb", memoryGb: 80, computeSlices: 7, sliceFraction: "7/7", total: 0, free: 0),
            ],
            wholeGpus: .init(total: 2, free: 1))
        #expect(
            GPURendering.profiles(list) == """
                PROFILE   MEMORY   SLICES   TOTAL   FREE
                1g.10gb    10 GB      1/7       7      5
                3g.40gb    40 GB      3/7       2      0
                7g.80gb    80 GB      7/7       0      0
                Whole GPUs without MIG (profile full): 2 total, 1 free

                """)
    }

    @Test func gpusDefaultsToList() throws {
        #expect(try GPUsCommand.parseAsRoot([]) is GPUsListCommand)
        let json = try GPUsCommand.parseAsRoot(["--json"])
        #expect((json as? GPUsListCommand)?.options.json == true)
        #expect(try GPUsCommand.parseAsRoot(["ls"]) is GPUsListCommand)
        #expect(try GPUsCommand.parseAsRoot(["profiles", "--json"]) is GPUProfilesCommand)
        #expect(throws: (any Error).self) { try GPUsCommand.parseAsRoot(["profiles", "extra"]) }
        #expect(throws: (any Error).self) { try GPUsCommand.parseAsRoot(["--bogus"]) }
    }
}
