import GantryCore
import Testing

@Suite struct GPUAllocationPolicyTests {
    static let migGPU = PhysicalGPU(
        index: 0, uuid: "GPU-a", model: "NVIDIA A100-SXM4-40GB", memoryMB: 40960, migMode: .enabled,
        migDevices: [
            MIGDevice(uuid: "MIG-3g", profile: "3g.20gb", gpuInstanceID: 1, computeInstanceID: 0, memoryMB: 19968),
            MIGDevice(uuid: "MIG-1a", profile: "1g.5gb", gpuInstanceID: 7, computeInstanceID: 0, memoryMB: 4864),
            MIGDevice(uuid: "MIG-1b", profile: "1g.5gb", gpuInstanceID: 8, computeInstanceID: 0, memoryMB: 4864),
            MIGDevice(uuid: "", profile: "1g.5gb", gpuInstanceID: 9, computeInstanceID: 0, memoryMB: 4864),
        ])
    static let wholeGPU = PhysicalGPU(
        index: 1, uuid: "GPU-b", model: "NVIDIA A100-SXM4-40GB", memoryMB: 40960, migMode: .disabled)
    static let devices = SchedulableGPUDevice.devices(
        of: GPUInventory(gpus: [migGPU, wholeGPU]), node: "n1")

    @Test func inventoryBecomesMIGDevicesAndWholeGPUs() {
        #expect(Self.devices.map(\.uuid) == ["MIG-3g", "MIG-1a", "MIG-1b", "GPU-b"])
        #expect(Self.devices.map(\.kind) == [.mig, .mig, .mig, .wholeGPU])
    }

    @Test func aMIGRequestTakesAFreeDeviceOfItsProfile() throws {
        let first = try GPUAllocationPolicy.choose(
            .mig(profile: "1g.5gb"), devices: Self.devices, held: [], eligibleNodes: ["n1"])
        #expect(first?.assignment.deviceUUID == "MIG-1a")
        #expect(first?.assignment.kind == .mig)
        let second = try GPUAllocationPolicy.choose(
            .mig(profile: "1g.5gb"), devices: Self.devices, held: ["MIG-1a"], eligibleNodes: ["n1"])
        #expect(second?.assignment.deviceUUID == "MIG-1b")
    }

    @Test func withoutAFreeSliceAGPUWithoutMIGIsGivenWhole() throws {
        let choice = try GPUAllocationPolicy.choose(
            .mig(profile: "1g.5gb"), devices: Self.devices, held: ["MIG-1a", "MIG-1b"], eligibleNodes: ["n1"])
        #expect(choice?.assignment.deviceUUID == "GPU-b")
        #expect(choice?.assignment.kind == .wholeGPUFallback)
    }

    @Test func fullTakesOnlyGPUsWithoutMIG() throws {
        let choice = try GPUAllocationPolicy.choose(.full, devices: Self.devices, held: [], eligibleNodes: ["n1"])
        #expect(
            choice?.assignment
                == GPUAssignment(
                    kind: .wholeGPU, deviceUUID: "GPU-b", gpuIndex: 1, gpuModel: "NVIDIA A100-SXM4-40GB", profile: nil))
        #expect(throws: GantryError.self) {
            try GPUAllocationPolicy.choose(.full, devices: Self.devices, held: ["GPU-b"], eligibleNodes: ["n1"])
        }
    }

    @Test func nothingFreeIsACapacityErrorThatSaysWhy() {
        do {
            _ = try GPUAllocationPolicy.choose(
                .mig(profile: "3g.20gb"), devices: Self.devices, held: ["MIG-3g", "GPU-b"], eligibleNodes: ["n1"])
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .insufficientCapacity)
            #expect(error.code == "gpu_unavailable")
            #expect(error.detail.contains("all 1 MIG devices of profile 3g.20gb are held"))
        }
        #expect(throws: GantryError.self) {
            try GPUAllocationPolicy.choose(.mig(profile: "7g.40gb"), devices: [], held: [], eligibleNodes: ["n1"])
        }
    }

    @Test func devicesOnIneligibleNodesAreNotChosen() throws {
        #expect(throws: GantryError.self) {
            try GPUAllocationPolicy.choose(.mig(profile: "1g.5gb"), devices: Self.devices, held: [], eligibleNodes: [])
        }
        #expect(try GPUAllocationPolicy.choose(.none, devices: Self.devices, held: [], eligibleNodes: ["n1"]) == nil)
    }

    @Test func requestsParse() throws {
        #expect(try GPURequest.parse("none") == GPURequest.none)
        #expect(try GPURequest.parse("FULL") == .full)
        #expect(try GPURequest.parse("3g.20gb") == .mig(profile: "3g.20gb"))
        #expect(try GPURequest.parse("1g.10gb+me") == .mig(profile: "1g.10gb+me"))
        for bad in ["3g", "9g.99", "gpu", "3g.20gb;rm"] {
            #expect(throws: GantryError.self) { try GPURequest.parse(bad) }
        }
    }

    @Test func sessionStatesFollowTheDesign() {
        #expect(SessionState.creating.canTransition(to: .running))
        #expect(SessionState.running.canTransition(to: .expired))
        #expect(SessionState.running.canTransition(to: .terminated))
        #expect(!SessionState.expired.canTransition(to: .running))
        #expect(!SessionState.terminated.canTransition(to: .failed))
        #expect(SessionState.allCases.filter(\.isActive) == [.creating, .running])
    }
}
