import Foundation
import GantryCore
import GantryPorts
import Testing

@testable import GantryServices

/// `InstanceService.decide`: the launch decision on one snapshot, with no store at all.
@Suite struct InstanceDecisionTests {
    let settings = Fixtures.instanceSettings

    func request(name: String = "app", cpu: Double = 1, memoryMB: Int = 512) -> LaunchRequest {
        LaunchRequest(name: name, image: Fixtures.web.name, cpu: cpu, memoryMB: memoryMB)
    }

    func decide(_ request: LaunchRequest, _ snapshot: ReservationSnapshot) throws(GantryError) -> Instance {
        try InstanceService.decide(request, image: Fixtures.web, snapshot: snapshot, settings: settings)
    }

    @Test func aNameTheOwnerAlreadyUsesIsAConflict() throws {
        let error = #expect(throws: GantryError.self) {
            try decide(request(name: "app"), Fixtures.reservation(names: ["app", "db"]))
        }
        #expect(error?.kind == .conflict)
        #expect(error?.code == "duplicate_name")
        // Another name of the same owner is fine.
        #expect(try decide(request(name: "api"), Fixtures.reservation(names: ["app", "db"])).name == "api")
    }

    @Test func quotaIsCheckedAgainstWhatTheOwnerHolds() throws {
        // Default quota: 3 instances, 4 CPUs, 8192 MB.
        let cpu = #expect(throws: GantryError.self) {
            try decide(request(cpu: 1.5), Fixtures.reservation(usage: ResourceAmount(instances: 1, cpu: 3)))
        }
        #expect(cpu?.kind == .quotaExceeded)
        #expect(cpu?.code == "quota_exceeded")
        #expect(cpu?.resource == "cpu")

        let count = #expect(throws: GantryError.self) {
            try decide(request(), Fixtures.reservation(usage: ResourceAmount(instances: 3, cpu: 0.5)))
        }
        #expect(count?.resource == "instances")

        let memory = #expect(throws: GantryError.self) {
            try decide(request(memoryMB: 4097), Fixtures.reservation(usage: ResourceAmount(memoryMB: 4096)))
        }
        #expect(memory?.resource == "memory")

        // Exactly up to the limit is allowed.
        #expect(throws: Never.self) {
            try decide(request(cpu: 1), Fixtures.reservation(usage: ResourceAmount(instances: 2, cpu: 3)))
        }
    }

    @Test func theOwnersQuotaOverrideReplacesTheDefault() throws {
        var owner = Fixtures.alice
        owner.quotaOverride = QuotaOverride(cpu: 16)
        let big = Fixtures.node("big", cpu: 32, memoryMB: 65_536)
        let instance = try decide(
            request(cpu: 6), Fixtures.reservation(owner: owner, usage: ResourceAmount(cpu: 8), nodes: [big]))
        #expect(instance.cpu == 6)
        #expect(instance.ownerID == owner.id)
    }

    /// Well formed, but no enrolled node is that big (a bigger one may join): a capacity conflict.
    @Test func cpuOrMemoryAboveTheLargestNodeIsInsufficientCapacity() {
        var owner = Fixtures.alice
        owner.quotaOverride = QuotaOverride(cpu: 100, memoryMB: 1_000_000)
        let nodes = [Fixtures.node("a", cpu: 4), Fixtures.node("b", cpu: 8, memoryMB: 32_768)]
        let cpu = #expect(throws: GantryError.self) {
            try decide(request(cpu: 8.5), Fixtures.reservation(owner: owner, nodes: nodes))
        }
        #expect(cpu?.kind == .insufficientCapacity)
        #expect(cpu?.detail.contains("the largest node has 8") == true)
        let memory = #expect(throws: GantryError.self) {
            try decide(request(memoryMB: 32_769), Fixtures.reservation(owner: owner, nodes: nodes))
        }
        #expect(memory?.kind == .insufficientCapacity)
        #expect(memory?.detail.contains("the largest node has 32768 MB") == true)
    }

    @Test func placesOnTheNodeWithRoomAndItsAddress() throws {
        let nodes = [
            Fixtures.node("full", cpu: 4, address: "10.0.0.1"), Fixtures.node("roomy", cpu: 4, address: "10.0.0.2"),
        ]
        let allocated = ["full": NodeCapacity(cpu: 3.5, memoryMB: 1024)]
        let instance = try decide(request(cpu: 1), Fixtures.reservation(nodes: nodes, allocated: allocated))
        #expect(instance.node == "roomy")
        #expect(instance.hostIP == "10.0.0.2")
        #expect(instance.state == .pending)
        #expect(instance.desiredState == .running)
    }

    @Test func nothingFitsIsInsufficientCapacityNodeByNode() {
        let nodes = [Fixtures.node("a", cpu: 4), Fixtures.node("b", cpu: 4, status: .draining)]
        let error = #expect(throws: GantryError.self) {
            try decide(
                request(cpu: 2), Fixtures.reservation(nodes: nodes, allocated: ["a": NodeCapacity(cpu: 3, memoryMB: 0)])
            )
        }
        #expect(error?.kind == .insufficientCapacity)
        #expect(error?.code == "insufficient_capacity")
        #expect(error?.shortfalls?.map(\.node) == ["a", "b"])
        #expect(error?.shortfalls?.last?.reasons.contains("node is draining") == true)
    }

    @Test func noNodesAtAllIsInsufficientCapacity() {
        let error = #expect(throws: GantryError.self) { try decide(request(), Fixtures.reservation(nodes: [])) }
        #expect(error?.code == "insufficient_capacity")
    }

    @Test func takesTheLowestFreePortOfTheChosenNode() throws {
        let instance = try decide(
            request(),
            Fixtures.reservation(usedPorts: ["local": [8000, 8001, 8003], "elsewhere": [8002]]))
        #expect(instance.hostPort == 8002)
        let first = try decide(request(), Fixtures.reservation(usedPorts: ["elsewhere": [8000]]))
        #expect(first.hostPort == 8000)
    }

    @Test func aNodeWithEveryPortTakenCannotTakeTheLaunch() {
        let all = Set(8000...8009)
        let error = #expect(throws: GantryError.self) {
            try decide(request(), Fixtures.reservation(usedPorts: ["local": all]))
        }
        #expect(error?.code == "insufficient_capacity")
        #expect(error?.shortfalls?.first?.reasons.contains { $0.hasPrefix("ports:") } == true)
    }

    @Test func recordsTheTemplateOfTheCatalogImageAtLaunch() throws {
        let instance = try decide(request(name: "site"), Fixtures.reservation())
        let expected = ContainerTemplate.forInstance(
            id: instance.id, name: "site", image: Fixtures.web, pidsLimit: settings.pidsLimit,
            hostBindIP: settings.hostBindIP)
        #expect(instance.template == expected)
        #expect(instance.template.command == ["serve", "--port", "8080"])
        #expect(instance.template.containerPort == 8080)
        #expect(instance.template.capabilities == ["NET_BIND_SERVICE"])
        #expect(instance.template.pidsLimit == 256)
        #expect(instance.template.hostBindIP == "127.0.0.1")
        #expect(instance.template.imageReference == "example/web:2")
        #expect(instance.imageReference == "example/web:2")
        #expect(instance.containerPort == 8080)
        #expect(instance.image == "web")
    }

    @Test func shapeChecksRefuseBadRequestsBeforeAnyDecision() {
        for bad in [
            LaunchRequest(name: "Not Valid", image: "web", cpu: 1, memoryMB: 512),
            LaunchRequest(name: "app", image: "web", cpu: 0.05, memoryMB: 512),
            LaunchRequest(name: "app", image: "web", cpu: .nan, memoryMB: 512),
            LaunchRequest(name: "app", image: "web", cpu: 1, memoryMB: 8),
            LaunchRequest(name: "app", image: "web", cpu: 1, memoryMB: 512, gpus: -1),
        ] {
            let error = #expect(throws: GantryError.self) { try bad.validate() }
            #expect(error?.kind == .invalidInput)
        }
    }
}
