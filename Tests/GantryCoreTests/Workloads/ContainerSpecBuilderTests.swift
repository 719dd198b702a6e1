import Foundation
import GantryCore
import Testing

@Suite struct ContainerSpecBuilderTests {
    typealias F = WorkloadFixtures

    func workload(
        gpuDevices: [String] = [], attach: GPUAttachMode = .deviceRequest, labels: [String: String] = [:],
        gpuCount: Int = 0
    ) -> Workload {
        var template = ContainerTemplate(
            containerName: "gantry-x", imageReference: "busybox:1", environment: ["A=1"], network: "net-name",
            pidsLimit: 64, gpuAttach: attach, gpuCount: gpuCount, labels: labels)
        template.capabilities = ["NET_BIND_SERVICE"]
        return Workload(
            kind: .session, id: F.sessionID, name: "x", ownerID: F.ownerID, node: "n1",
            resources: WorkloadResources(cpu: 0.25, memoryMB: 64, gpus: gpuDevices.count), gpuDevices: gpuDevices,
            desired: .running, phase: .pending, template: template, createdAt: F.created, phaseSince: F.created)
    }

    @Test func standardLabelsAreAddedAndWinOverTheTemplate() {
        let spec = ContainerSpecBuilder.spec(
            for: workload(labels: ["gantry.kind": "instance", "gantry.id": "forged", "team": "ml"]),
            installationID: "inst-9")
        #expect(
            spec.labels == [
                "gantry.kind": "session", "gantry.id": "A1B2C3D4-0000-4000-8000-000000000002",
                "gantry.owner": "00000000-0000-4000-8000-0000000000AA", "gantry.installation": "inst-9",
                "gantry.name": "x", "team": "ml",
            ])
    }

    @Test func severalDevicesGoInOneEnvironmentEntry() {
        let spec = ContainerSpecBuilder.spec(
            for: workload(gpuDevices: ["GPU-a", "MIG-b"], attach: .env), installationID: "i")
        #expect(spec.environment == ["A=1", "NVIDIA_VISIBLE_DEVICES=GPU-a,MIG-b"])
        #expect(spec.gpuDeviceIDs.isEmpty)
    }

    @Test func severalDevicesGoInOneDeviceRequest() {
        let spec = ContainerSpecBuilder.spec(
            for: workload(gpuDevices: ["GPU-a", "MIG-b"], attach: .deviceRequest), installationID: "i")
        #expect(spec.environment == ["A=1"])
        #expect(spec.gpuDeviceIDs == ["GPU-a", "MIG-b"])
    }

    @Test func anyNGPUsComeFromTheTemplate() {
        let spec = ContainerSpecBuilder.spec(for: workload(gpuCount: 3), installationID: "i")
        #expect(spec.gpuCount == 3)
        #expect(spec.gpuDeviceIDs.isEmpty)
    }

    @Test func theNetworkIDReplacesTheName() {
        #expect(ContainerSpecBuilder.spec(for: workload(), installationID: "i").network == "net-name")
        #expect(
            ContainerSpecBuilder.spec(for: workload(), installationID: "i", networkID: "abc123").network == "abc123")
    }

    @Test func limitsComeFromTheWorkloadAndTheTemplate() {
        let spec = ContainerSpecBuilder.spec(for: workload(), installationID: "i")
        #expect(spec.cpu == 0.25 && spec.memoryMB == 64 && spec.pidsLimit == 64)
        #expect(spec.capabilities == ["NET_BIND_SERVICE"])
        #expect(spec.name == "gantry-x" && spec.image == "busybox:1")
    }
}
