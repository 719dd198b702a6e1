import Foundation
import GantryCore
import GantryTestSupport
import Testing

/// One directory under `Fixtures/` (see its README) and the inventory it must parse into.
struct FixtureCase: Sendable, CustomTestStringConvertible {
    let name: String
    let expected: GPUInventory

    var testDescription: String { name }

    static let all: [FixtureCase] = [a100MIGOff, a100MIGOn, h100MIGOff, h100MIGOn, noMIGGPU]

    static let a100MIGOff = FixtureCase(
        name: "a100-mig-off",
        expected: inventory([
            PhysicalGPU(
                index: 0, uuid: "GPU-4f6d2a1e-8c3b-5e7a-9d20-b1c6e3f48a57", model: "NVIDIA A100-SXM4-40GB",
                memoryMB: 40960, migMode: .disabled)
        ]))

    static let a100MIGOn = FixtureCase(
        name: "a100-mig-on",
        expected: inventory([
            PhysicalGPU(
                index: 0, uuid: "GPU-b2e7c419-5d0a-6f38-8a1c-3e9d7f204b65", model: "NVIDIA A100-SXM4-40GB",
                memoryMB: 40960, migMode: .enabled,
                migDevices: [
                    MIGDevice(
                        uuid: "MIG-8d1f5c2a-6b4e-5a93-a7c0-2e9b4d61f385", profile: "3g.20gb", gpuInstanceID: 2,
                        computeInstanceID: 0, memoryMB: 20096),
                    MIGDevice(
                        uuid: "MIG-1c7e9b42-3f5d-5e08-b6a1-94d2c8e07f13", profile: "2g.10gb", gpuInstanceID: 3,
                        computeInstanceID: 0, memoryMB: 9984),
                    MIGDevice(
                        uuid: "MIG-e5a03d7c-9b21-5f46-8c3e-6d0f1a2b9c84", profile: "1g.5gb", gpuInstanceID: 9,
                        computeInstanceID: 0, memoryMB: 4864),
                    MIGDevice(
                        uuid: "MIG-72b4f0e9-1d6a-5c38-9e57-a3c8b5d2f601", profile: "1g.5gb", gpuInstanceID: 10,
                        computeInstanceID: 0, memoryMB: 4864),
                ])
        ]))

    static let h100MIGOff = FixtureCase(
        name: "h100-mig-off",
        expected: inventory([
            PhysicalGPU(
                index: 0, uuid: "GPU-9a3c6e21-7f4b-2d85-c0e1-5b8a4f7d3c92", model: "NVIDIA H100 80GB HBM3",
                memoryMB: 81559, migMode: .disabled),
            PhysicalGPU(
                index: 1, uuid: "GPU-03d8f5b7-2e9c-4a16-b7f3-8c1e6a5d9f40", model: "NVIDIA H100 80GB HBM3",
                memoryMB: 81559, migMode: .disabled),
        ]))

    static let h100MIGOn = FixtureCase(
        name: "h100-mig-on",
        expected: inventory([
            PhysicalGPU(
                index: 0, uuid: "GPU-6e1b9d47-3a5c-8f02-d4e9-7c2b5a0f8e13", model: "NVIDIA H100 80GB HBM3",
                memoryMB: 81559, migMode: .enabled,
                migDevices: [
                    MIGDevice(
                        uuid: "MIG-5f2e8a13-c47d-5b90-a6e2-1d9c3b7f84e5", profile: "3g.40gb", gpuInstanceID: 2,
                        computeInstanceID: 0, memoryMB: 40448),
                    MIGDevice(
                        uuid: "MIG-c93a1f6d-2b8e-5470-9d15-e6f2a04b7c38", profile: "2g.20gb", gpuInstanceID: 3,
                        computeInstanceID: 0, memoryMB: 20096),
                    MIGDevice(
                        uuid: "MIG-0e6b4d92-7a3f-5c21-b8e4-5f1a9c3d62b7", profile: "1g.10gb", gpuInstanceID: 9,
                        computeInstanceID: 0, memoryMB: 9984),
                    MIGDevice(
                        uuid: "MIG-a41d7c58-e0b9-5f63-8c2a-b7e3d9f10a46", profile: "1g.10gb", gpuInstanceID: 10,
                        computeInstanceID: 0, memoryMB: 9984),
                ])
        ]))

    static let noMIGGPU = FixtureCase(
        name: "no-mig-gpu",
        expected: inventory([
            PhysicalGPU(
                index: 0, uuid: "GPU-7d4a0c93-b1e6-f582-3a9d-0e5c7b2f16a8", model: "Tesla T4", memoryMB: 15360,
                migMode: .unsupported)
        ]))

    private static func inventory(_ gpus: [PhysicalGPU]) -> GPUInventory {
        GPUInventory(driverVersion: "535.161.08", cudaVersion: "12.2", gpus: gpus)
    }

    var directory: URL {
        get throws { try Fixtures.directory().appendingPathComponent(name, isDirectory: true) }
    }
    var xmlURL: URL { get throws { try directory.appendingPathComponent("nvidia-smi-q-x.xml") } }
    var listURL: URL { get throws { try directory.appendingPathComponent("nvidia-smi-L.txt") } }
    var xml: String { get throws { try String(contentsOf: xmlURL, encoding: .utf8) } }
    var list: String { get throws { try String(contentsOf: listURL, encoding: .utf8) } }
}

enum Fixtures {
    static func directory() throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    }

    static var driverFailureOutput: URL {
        get throws { try directory().appendingPathComponent("driver-failure/nvidia-smi-output.txt") }
    }
}

extension FakeNvidiaSMI {
    /// Prints a fixture case's files for `-q -x` and `-L`, as the README describes.
    static func script(printing fixture: FixtureCase) throws -> String {
        script(xml: try fixture.xmlURL.path, list: try fixture.listURL.path)
    }
}
