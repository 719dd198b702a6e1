import Foundation
import GantryCore
import GantryPorts
import GantryTestSupport
import Testing

@testable import GantryServices

/// The user's requests on an instance: through the state machine, compare-and-set on the
/// store, stamped with the service's clock.
@Suite struct InstanceServiceTests {
    enum Request: String, Sendable, CaseIterable {
        case stop, start, terminate

        func perform(_ service: InstanceService, id: UUID, by caller: Principal) async throws -> Instance {
            switch self {
            case .stop: try await service.stop(id: id, by: caller)
            case .start: try await service.start(id: id, by: caller)
            case .terminate: try await service.terminate(id: id, by: caller)
            }
        }
    }

    struct Allowed: Sendable, CustomTestStringConvertible {
        var request: Request
        var from: InstanceState
        var to: InstanceState
        var desired: DesiredState
        var reason: String

        var testDescription: String { "\(request.rawValue) from \(from.rawValue)" }
    }

    static let allowed = [
        Allowed(request: .stop, from: .running, to: .stopping, desired: .stopped, reason: "stop requested by alice"),
        Allowed(request: .stop, from: .pending, to: .stopping, desired: .stopped, reason: "stop requested by alice"),
        Allowed(request: .start, from: .stopped, to: .pending, desired: .running, reason: "start requested by alice"),
        Allowed(
            request: .terminate, from: .running, to: .terminating, desired: .terminated,
            reason: "terminate requested by alice"),
        Allowed(
            request: .terminate, from: .stopped, to: .terminating, desired: .terminated,
            reason: "terminate requested by alice"),
        Allowed(
            request: .terminate, from: .failed, to: .terminating, desired: .terminated,
            reason: "terminate requested by alice"),
    ]

    static func seeded(_ state: InstanceState) -> Instance {
        let holds = state.holdsResources
        return Fixtures.instance(
            state: state, desired: state == .stopped ? .stopped : .running,
            containerID: holds && state != .pending ? "c-app" : nil, hostPort: holds ? 8000 : nil)
    }

    @Test(arguments: InstanceServiceTests.allowed)
    func anAllowedRequestChangesStateAndDesiredStateAtTheClocksTime(_ allowed: Allowed) async throws {
        let harness = try await Harness(start: Fixtures.start.addingTimeInterval(3600))
        let seeded = Self.seeded(allowed.from)
        try harness.store.seed(seeded)

        let answer = try await allowed.request.perform(harness.instances, id: seeded.id, by: Harness.alice)

        #expect(answer.state == allowed.to)
        #expect(answer.desiredState == allowed.desired)
        #expect(answer.stateReason == allowed.reason)
        #expect(answer.stateChangedAt == harness.clock.now)
        #expect(answer.updatedAt == harness.clock.now)
        #expect(answer.createdAt == seeded.createdAt)
        #expect(answer.template == seeded.template)
        #expect(try await harness.instance(seeded.id) == answer)
    }

    @Test(arguments: [
        (Request.start, InstanceState.running), (.start, .pending), (.start, .terminating), (.stop, .stopped),
        (.stop, .stopping), (.stop, .failed), (.terminate, .terminating), (.terminate, .terminated),
        (.start, .terminated),
    ])
    func aRefusedRequestIsAConflictAndChangesNothing(_ request: Request, _ state: InstanceState) async throws {
        let harness = try await Harness(start: Fixtures.start.addingTimeInterval(3600))
        let seeded = Self.seeded(state)
        try harness.store.seed(seeded)

        let error = await #expect(throws: GantryError.self) {
            try await request.perform(harness.instances, id: seeded.id, by: Harness.alice)
        }

        #expect(error?.kind == .conflict)
        #expect(error?.code == "invalid_state")
        #expect(error?.detail.contains(state.rawValue) == true)
        #expect(try await harness.instance(seeded.id) == seeded)
    }

    @Test func anotherUsersInstanceIsNotFoundAndUntouched() async throws {
        let harness = try await Harness()
        let seeded = Self.seeded(.running)
        try harness.store.seed(seeded)
        for request in Request.allCases {
            let error = await #expect(throws: GantryError.self) {
                try await request.perform(harness.instances, id: seeded.id, by: Harness.bob)
            }
            #expect(error?.kind == .notFound)
        }
        #expect(try await harness.instance(seeded.id) == seeded)
        // An admin may act on it.
        let stopped = try await harness.instances.stop(id: seeded.id, by: Harness.admin)
        #expect(stopped.stateReason == "stop requested by admin")
    }

    @Test func anUnknownInstanceIsNotFound() async throws {
        let harness = try await Harness()
        let error = await #expect(throws: GantryError.self) {
            try await harness.instances.stop(id: Fixtures.id(0x99), by: Harness.alice)
        }
        #expect(error?.kind == .notFound)
    }

    @Test func launchRefusesBadInputBeforeReservingAnything() async throws {
        let harness = try await Harness()
        let badName = await #expect(throws: GantryError.self) {
            try await harness.instances.launch(
                LaunchRequest(name: "-bad", image: "web", cpu: 1, memoryMB: 512), by: Harness.alice)
        }
        #expect(badName?.kind == .invalidInput)
        let unknownImage = await #expect(throws: GantryError.self) {
            try await harness.instances.launch(
                LaunchRequest(name: "app", image: "nope", cpu: 1, memoryMB: 512), by: Harness.alice)
        }
        #expect(unknownImage?.code == "unknown_image")
        #expect(unknownImage?.kind == .notFound)
        #expect(try await harness.store.liveInstances().isEmpty)
    }

    @Test func launchRecordsAReservationThatHoldsQuotaAndPort() async throws {
        let harness = try await Harness()
        let first = try await harness.launch("one", cpu: 2)
        let second = try await harness.launch("two", cpu: 2)
        #expect(first.hostPort == 8000)
        #expect(second.hostPort == 8001)
        #expect(
            try await harness.store.usage(ownerID: Fixtures.alice.id)
                == ResourceAmount(instances: 2, cpu: 4, memoryMB: 1024))
        // Four CPUs is alice's quota: a third launch is over it, and a duplicate name is refused.
        let quota = await #expect(throws: GantryError.self) { try await harness.launch("three", cpu: 1) }
        #expect(quota?.code == "quota_exceeded")
        let duplicate = await #expect(throws: GantryError.self) { try await harness.launch("one", cpu: 0.1) }
        #expect(duplicate?.code == "duplicate_name")
        #expect(try await harness.store.liveInstances().map(\.name).sorted() == ["one", "two"])
    }
}
