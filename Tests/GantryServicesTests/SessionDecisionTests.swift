import Foundation
import GantryCore
import GantryPorts
import Testing

@testable import GantryServices

/// `SessionService.decide` and the request validation in front of it, with no store at all.
@Suite struct SessionDecisionTests {
    let settings = Fixtures.sessionSettings
    let sessionID = Fixtures.id(0x5E)
    let now = Fixtures.start

    func validated(
        _ profile: String = "none", name: String? = nil, ttl: Int? = nil, cpu: Double? = nil, memoryMB: Int? = nil
    ) throws(GantryError) -> ValidatedSessionRequest {
        try ValidatedSessionRequest(
            SessionRequest(migProfile: profile, ttlMinutes: ttl, name: name, cpu: cpu, memoryMB: memoryMB),
            settings: settings)
    }

    func decide(
        _ request: ValidatedSessionRequest, _ snapshot: SessionReservationSnapshot,
        quota: QuotaLimits = Fixtures.instanceSettings.defaultQuota
    ) throws(GantryError) -> GPUSession {
        try SessionService.decide(
            request, id: sessionID, image: "ubuntu", reference: "ubuntu:22.04", snapshot: snapshot, settings: settings,
            defaultQuota: quota, pidsLimit: 128, now: now)
    }

    @Test func aSessionWithoutANameIsNamedAfterItsID() throws {
        let session = try decide(try validated(), Fixtures.sessionReservation())
        #expect(session.name == "s-5e000000")
        #expect(session.id == sessionID)
        let named = try decide(try validated(name: "train"), Fixtures.sessionReservation())
        #expect(named.name == "train")
    }

    @Test func defaultsComeFromTheSettings() throws {
        let session = try decide(try validated(), Fixtures.sessionReservation())
        #expect(session.cpu == settings.defaultCPU)
        #expect(session.memoryMB == settings.defaultMemoryMB)
        #expect(session.expiresAt == now.addingTimeInterval(TimeInterval(settings.defaultTTLMinutes * 60)))
        #expect(session.createdAt == now)
        #expect(session.state == .creating)
        #expect(session.gpu == nil)
        #expect(session.requestedProfile == "none")
        #expect(session.workspacePath == "/srv/gantry/workspaces/alice")
        #expect(session.posixUID == 20_007)
        let short = try decide(try validated(ttl: 5), Fixtures.sessionReservation())
        #expect(short.expiresAt == now.addingTimeInterval(300))
    }

    @Test func anActiveSessionOfTheSameNameIsAConflict() throws {
        let error = #expect(throws: GantryError.self) {
            try decide(try validated(name: "train"), Fixtures.sessionReservation(names: ["train"]))
        }
        #expect(error?.kind == .conflict)
        #expect(error?.code == "duplicate_name")
        // The defaulted name is checked as well.
        let defaulted = #expect(throws: GantryError.self) {
            try decide(try validated(), Fixtures.sessionReservation(names: ["s-5e000000"]))
        }
        #expect(defaulted?.code == "duplicate_name")
    }

    @Test func quotaCountsTheSessionsCPUMemoryAndGPU() throws {
        let cpu = #expect(throws: GantryError.self) {
            try decide(try validated(cpu: 2), Fixtures.sessionReservation(usage: ResourceAmount(cpu: 3)))
        }
        #expect(cpu?.kind == .quotaExceeded)
        #expect(cpu?.resource == "cpu")
        // The default quota allows one GPU: a second one is over it.
        let gpu = #expect(throws: GantryError.self) {
            try decide(
                try validated("1g.10gb"),
                Fixtures.sessionReservation(usage: ResourceAmount(gpus: 1), devices: Fixtures.gpus(on: "local")))
        }
        #expect(gpu?.resource == "gpus")
        // Sessions do not count as instances.
        #expect(throws: Never.self) {
            try decide(try validated(), Fixtures.sessionReservation(usage: ResourceAmount(instances: 3)))
        }
    }

    @Test func aMIGRequestGetsAFreeDeviceOfThatProfile() throws {
        let session = try decide(
            try validated("1g.10gb"),
            Fixtures.sessionReservation(devices: Fixtures.gpus(on: "local"), held: [Fixtures.migUUID]))
        #expect(session.gpu?.deviceUUID == Fixtures.otherMIGUUID)
        #expect(session.gpu?.kind == .mig)
        #expect(session.gpu?.profile == "1g.10gb")
        #expect(session.node == "local")
        #expect(session.requestedProfile == "1g.10gb")
        #expect(session.resources.gpus == 1)
    }

    @Test func aMIGRequestFallsBackToAWholeGPUWithoutMIG() throws {
        let session = try decide(
            try validated("1g.10gb"),
            Fixtures.sessionReservation(
                devices: Fixtures.gpus(on: "local"), held: [Fixtures.migUUID, Fixtures.otherMIGUUID]))
        #expect(session.gpu?.deviceUUID == Fixtures.wholeGPUUUID)
        #expect(session.gpu?.kind == .wholeGPUFallback)
    }

    @Test func aFullRequestGetsAWholeGPU() throws {
        let session = try decide(
            try validated("full"), Fixtures.sessionReservation(devices: Fixtures.gpus(on: "local")))
        #expect(session.gpu?.deviceUUID == Fixtures.wholeGPUUUID)
        #expect(session.gpu?.kind == .wholeGPU)
        #expect(session.gpu?.gpuIndex == 1)
    }

    @Test func everyDeviceHeldIsGPUUnavailable() {
        let devices = Fixtures.gpus(on: "local")
        let error = #expect(throws: GantryError.self) {
            try decide(
                try validated("1g.10gb"), Fixtures.sessionReservation(devices: devices, held: Set(devices.map(\.uuid))))
        }
        #expect(error?.kind == .insufficientCapacity)
        #expect(error?.code == "gpu_unavailable")
    }

    @Test func aDeviceOnANodeWithoutRoomForTheCPUIsNotChosen() throws {
        let nodes = [Fixtures.node("busy", cpu: 2), Fixtures.node("local")]
        let devices =
            Fixtures.gpus(on: "busy") + [
                SchedulableGPUDevice(
                    node: "local", kind: .mig, uuid: "MIG-local", gpuIndex: 0, gpuUUID: "GPU-local",
                    gpuModel: "NVIDIA A100", memoryMB: 9728, profile: "1g.10gb")
            ]
        let session = try decide(
            try validated("1g.10gb", cpu: 2),
            Fixtures.sessionReservation(
                nodes: nodes, allocated: ["busy": NodeCapacity(cpu: 1, memoryMB: 0)], devices: devices))
        #expect(session.node == "local")
        #expect(session.gpu?.deviceUUID == "MIG-local")
    }

    @Test func withoutAGPUTheSessionIsPlacedByCPUAndMemory() throws {
        let nodes = [Fixtures.node("small", cpu: 1), Fixtures.node("local")]
        let session = try decide(try validated(cpu: 2), Fixtures.sessionReservation(nodes: nodes))
        #expect(session.node == "local")
        let error = #expect(throws: GantryError.self) {
            try decide(try validated(cpu: 2), Fixtures.sessionReservation(nodes: [Fixtures.node("small", cpu: 1)]))
        }
        #expect(error?.code == "insufficient_capacity")
    }

    @Test func recordsTheSessionTemplate() throws {
        let session = try decide(
            try validated("1g.10gb", name: "train"), Fixtures.sessionReservation(devices: Fixtures.gpus(on: "local")))
        let expected = ContainerTemplate.forSession(
            id: sessionID, name: "train", ownerUsername: "alice", imageReference: "ubuntu:22.04",
            workspacePath: "/srv/gantry/workspaces/alice", posixUID: 20_007, network: "gantry-sessions",
            gpuAttach: .deviceRequest, pidsLimit: 128)
        #expect(session.template == expected)
        #expect(session.template.user == "20007:20007")
        #expect(session.template.isolatedNetwork)
        #expect(session.template.mounts == [BindMount(source: "/srv/gantry/workspaces/alice", target: "/workspace")])
        #expect(session.imageReference == "ubuntu:22.04")
    }

    @Test func badRequestsAreRefusedBeforeAnyDecision() {
        for bad in [
            SessionRequest(migProfile: "2g.banana"),
            SessionRequest(migProfile: "none", ttlMinutes: 0),
            SessionRequest(migProfile: "none", ttlMinutes: settings.maxTTLMinutes + 1),
            SessionRequest(migProfile: "none", name: "Bad Name"),
            SessionRequest(migProfile: "none", cpu: 0.01),
            SessionRequest(migProfile: "none", cpu: .infinity),
            SessionRequest(migProfile: "none", memoryMB: 32),
        ] {
            let error = #expect(throws: GantryError.self) { try ValidatedSessionRequest(bad, settings: settings) }
            #expect(error?.kind == .invalidInput, "\(bad)")
        }
    }
}
