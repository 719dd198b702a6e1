import Foundation
import GantryCore
import GantryPorts
import GantryTestSupport
import Testing

@testable import GantryServices

/// The reconciler end to end over the in-memory store and the fake engine: each pass plans from
/// the records and one listing, and carries the plan out. No Docker, no database.
@Suite struct WorkloadReconcilerTests {
    // MARK: Instances

    @Test func launchesAPendingInstanceFromItsRecordedTemplate() async throws {
        let harness = try await Harness()
        let reserved = try await harness.launch("app")
        #expect(reserved.state == .pending)
        // The catalog entry goes away before the reconciler gets to it: the record is enough.
        #expect(try await harness.store.deleteImage(name: "web"))
        harness.clock.advance(by: 5)

        try await harness.reconciler.reconcileAll()

        let running = try await harness.instance(reserved.id)
        #expect(running.state == .running)
        #expect(running.desiredState == .running)
        #expect(running.stateReason == "running")
        #expect(running.stateChangedAt == harness.clock.now)
        let specs = harness.runtime.createdSpecs
        try #require(specs.count == 1)
        let spec = specs[0]
        #expect(spec == ContainerSpecBuilder.spec(for: reserved.workload, installationID: Fixtures.installationID))
        #expect(spec.image == "example/web:2")
        #expect(spec.command == ["serve", "--port", "8080"])
        #expect(spec.capabilities == ["NET_BIND_SERVICE"])
        #expect(spec.containerPort == 8080)
        #expect(spec.hostPort == 8000)
        #expect(spec.hostBindIP == "127.0.0.1")
        #expect(spec.pidsLimit == 256)
        #expect(spec.labels[ContainerLabels.installation] == Fixtures.installationID)
        #expect(spec.labels[ContainerLabels.kind] == "instance")
        #expect(spec.labels[ContainerLabels.id] == reserved.id.uuidString)
        // The image was pulled, and the container recorded is the one now running.
        #expect(harness.runtime.calls.contains(.pullImage("example/web:2")))
        let container = try #require(harness.runtime.containers.first)
        #expect(running.containerID == container.id)
        #expect(container.status == .running)

        // A second pass has nothing to do.
        try await harness.reconciler.reconcileAll()
        #expect(try await harness.instance(reserved.id) == running)
        #expect(harness.runtime.createdSpecs.count == 1)
    }

    @Test func aPortTakenOnTheHostMovesTheInstanceToTheNextFreeOne() async throws {
        let harness = try await Harness()
        harness.runtime.failures.portsInUse = [8000]
        let reserved = try await harness.launch("app")
        #expect(reserved.hostPort == 8000)

        try await harness.reconciler.reconcileAll()

        let running = try await harness.instance(reserved.id)
        #expect(running.state == .running)
        #expect(running.hostPort == 8001)
        #expect(harness.runtime.createdSpecs.map(\.hostPort) == [8000, 8001])
        // The container that could not bind was removed; only the moved one is left.
        #expect(harness.runtime.containers.map(\.spec.hostPort) == [8001])
    }

    @Test func anImageThatCannotBePulledFailsTheInstance() async throws {
        let harness = try await Harness()
        harness.runtime.failures.unpullableImages = ["example/web:2"]
        let reserved = try await harness.launch("app")

        try await harness.reconciler.reconcileAll()

        let failed = try await harness.instance(reserved.id)
        #expect(failed.state == .failed)
        #expect(failed.stateReason?.contains("could not be pulled") == true)
        #expect(failed.hostPort == nil)
        #expect(harness.runtime.createdSpecs.isEmpty)
        #expect(try await harness.store.usage(ownerID: Fixtures.alice.id) == .zero)
    }

    @Test func aStopRequestLeadsToAStoppedInstance() async throws {
        let harness = try await Harness()
        let running = try await harness.launchRunning()
        harness.clock.advance(by: 30)
        let stopping = try await harness.instances.stop(id: running.id, by: Harness.alice)
        #expect(stopping.state == .stopping)
        harness.clock.advance(by: 1)

        try await harness.reconciler.reconcileAll()

        let stopped = try await harness.instance(running.id)
        #expect(stopped.state == .stopped)
        #expect(stopped.desiredState == .stopped)
        #expect(stopped.stateChangedAt == harness.clock.now)
        let containerID = try #require(running.containerID)
        #expect(stopped.containerID == containerID)
        #expect(harness.runtime.calls.contains(.stopContainer(containerID, timeoutSeconds: 3)))
        #expect(harness.runtime.container(containerID)?.status == .exited)
        // Stopped and wanted stopped: further passes leave it alone.
        try await harness.reconciler.reconcileAll()
        #expect(try await harness.instance(running.id) == stopped)
    }

    @Test func terminateRemovesTheContainerAndRecordsTerminated() async throws {
        let harness = try await Harness()
        let running = try await harness.launchRunning()
        _ = try await harness.instances.terminate(id: running.id, by: Harness.alice)
        harness.clock.advance(by: 2)

        try await harness.reconciler.reconcileAll()

        let terminated = try await harness.instance(running.id)
        #expect(terminated.state == .terminated)
        #expect(terminated.desiredState == .terminated)
        #expect(terminated.containerID == nil)
        #expect(terminated.hostPort == nil)
        #expect(terminated.stateChangedAt == harness.clock.now)
        #expect(harness.runtime.containers.isEmpty)
        #expect(try await harness.store.liveInstances().isEmpty)
        #expect(try await harness.store.usage(ownerID: Fixtures.alice.id) == .zero)
    }

    @Test func aContainerRemovedBehindItsBackFailsTheInstance() async throws {
        let harness = try await Harness()
        let running = try await harness.launchRunning()
        harness.runtime.vanish(try #require(running.containerID))
        harness.clock.advance(by: 10)

        try await harness.reconciler.reconcileAll()

        let failed = try await harness.instance(running.id)
        #expect(failed.state == .failed)
        #expect(failed.stateReason == "container was removed outside Gantry")
        #expect(failed.containerID == nil)
        #expect(failed.hostPort == nil)
        #expect(failed.stateChangedAt == harness.clock.now)
        // Failed is an end: no container is made for it again.
        try await harness.reconciler.reconcileAll()
        #expect(harness.runtime.createdSpecs.count == 1)
    }

    @Test func anExitedContainerMarksTheInstanceStoppedUntilStarted() async throws {
        let harness = try await Harness()
        let running = try await harness.launchRunning()
        let containerID = try #require(running.containerID)
        harness.runtime.exit(containerID, code: 137)

        try await harness.reconciler.reconcileAll()

        let stopped = try await harness.instance(running.id)
        #expect(stopped.state == .stopped)
        #expect(stopped.desiredState == .stopped)
        #expect(stopped.stateReason == "container exited unexpectedly with code 137")
        #expect(stopped.containerID == containerID)
        #expect(harness.runtime.container(containerID) != nil)

        // Started again, it runs in the same container.
        _ = try await harness.instances.start(id: running.id, by: Harness.alice)
        try await harness.reconciler.reconcileAll()
        let restarted = try await harness.instance(running.id)
        #expect(restarted.state == .running)
        #expect(restarted.containerID == containerID)
        #expect(harness.runtime.createdSpecs.count == 1)
        #expect(harness.runtime.container(containerID)?.status == .running)
    }

    // MARK: Dangling containers

    @Test func removesOrphansPastTheGraceAndLeavesYoungOnes() async throws {
        let harness = try await Harness()
        let now = harness.clock.now
        func labels(installation: String = Fixtures.installationID, kind: String = "instance") -> [String: String] {
            [
                ContainerLabels.installation: installation, ContainerLabels.kind: kind,
                ContainerLabels.id: UUID().uuidString,
            ]
        }
        let old = harness.runtime.plant(name: "old", labels: labels(), createdAt: now.addingTimeInterval(-120))
        let young = harness.runtime.plant(name: "young", labels: labels(), createdAt: now.addingTimeInterval(-10))
        let foreign = harness.runtime.plant(
            name: "foreign", labels: labels(installation: "someone-else"), createdAt: now.addingTimeInterval(-3600))
        let unknownKind = harness.runtime.plant(
            name: "desktop", labels: labels(kind: "desktop"), createdAt: now.addingTimeInterval(-3600))

        try await harness.reconciler.reconcileAll()

        #expect(harness.runtime.container(old) == nil)
        #expect(harness.runtime.container(young) != nil)
        #expect(harness.runtime.container(foreign) != nil)
        #expect(harness.runtime.container(unknownKind) != nil)
        #expect(harness.runtime.calls.contains(.removeContainer(old)))

        // Once past the grace, the young one goes too.
        harness.clock.advance(by: 60)
        try await harness.reconciler.reconcileAll()
        #expect(harness.runtime.container(young) == nil)
        #expect(harness.runtime.container(foreign) != nil)
    }

    @Test func aContainerOfALiveInstanceIsNoOrphan() async throws {
        let harness = try await Harness()
        let running = try await harness.launchRunning()
        harness.clock.advance(by: 3600)
        try await harness.reconciler.reconcileAll()
        #expect(harness.runtime.container(try #require(running.containerID))?.status == .running)
        #expect(try await harness.instance(running.id).state == .running)
    }

    /// A reference the engine refuses fails the instance at once with the engine's reason,
    /// releasing its quota and port, instead of being retried every pass forever.
    @Test func anImageTheEngineRefusesFailsTheInstance() async throws {
        let harness = try await Harness()
        harness.runtime.failures.malformedImages = ["example/web:2"]
        let reserved = try await harness.launch("app")

        try await harness.reconciler.reconcileAll()

        let failed = try await harness.instance(reserved.id)
        #expect(failed.state == .failed)
        #expect(failed.stateReason?.contains("refused by the engine (400): invalid reference format") == true)
        #expect(failed.hostPort == nil)
        #expect(try await harness.store.usage(ownerID: Fixtures.alice.id) == .zero)
    }

    /// A transient engine error is retried with backoff (1 s, 2 s, 4 s …), not on every pass.
    @Test func aTransientEngineErrorIsRetriedWithBackoff() async throws {
        let harness = try await Harness()
        harness.runtime.failures.imageLookupError = .engine(status: 500, message: "engine busy")
        let reserved = try await harness.launch("app")
        func lookups() -> Int {
            harness.runtime.calls.filter { if case .imageExists = $0 { true } else { false } }.count
        }

        try await harness.reconciler.reconcileAll()
        #expect(lookups() == 1)
        try await harness.reconciler.reconcileAll()
        #expect(lookups() == 1, "retried before its backoff")
        harness.clock.advance(by: 1)
        try await harness.reconciler.reconcileAll()
        #expect(lookups() == 2)
        harness.clock.advance(by: 1)
        try await harness.reconciler.reconcileAll()
        #expect(lookups() == 2, "the second wait is 2 s")
        #expect(try await harness.instance(reserved.id).state == .pending)

        harness.runtime.failures.imageLookupError = nil
        harness.clock.advance(by: 1)
        try await harness.reconciler.reconcileAll()
        #expect(try await harness.instance(reserved.id).state == .running)
        #expect(WorkloadReconciler.backoff(afterFailures: 1) == 1)
        #expect(WorkloadReconciler.backoff(afterFailures: 4) == 8)
        #expect(WorkloadReconciler.backoff(afterFailures: 40) == WorkloadReconciler.maximumBackoff)
    }

    // MARK: Unreachable engine

    @Test func anUnreachableEngineChangesNothing() async throws {
        let harness = try await Harness()
        let running = try await harness.launchRunning("exits")
        harness.runtime.exit(try #require(running.containerID), code: 1)
        let pending = try await harness.launch("waits")
        let orphan = harness.runtime.plant(
            name: "orphan",
            labels: [
                ContainerLabels.installation: Fixtures.installationID, ContainerLabels.kind: "instance",
                ContainerLabels.id: UUID().uuidString,
            ],
            createdAt: harness.clock.now.addingTimeInterval(-3600))
        let specsBefore = harness.runtime.createdSpecs
        harness.runtime.failures.unreachable = true
        harness.clock.advance(by: 600)

        try await harness.reconciler.reconcileAll()

        #expect(try await harness.instance(running.id) == running)
        #expect(try await harness.instance(pending.id) == pending)
        #expect(harness.runtime.container(orphan) != nil)
        #expect(harness.runtime.createdSpecs == specsBefore)

        // Back again, the next pass catches up on all of it.
        harness.runtime.failures.unreachable = false
        try await harness.reconciler.reconcileAll()
        #expect(try await harness.instance(running.id).state == .stopped)
        #expect(try await harness.instance(pending.id).state == .running)
        #expect(harness.runtime.container(orphan) == nil)
    }

    @Test func aLaunchIsRefusedWhileNoEngineAnswers() async throws {
        let harness = try await Harness()
        harness.runtime.failures.unreachable = true
        let error = await #expect(throws: GantryError.self) { try await harness.launch("app") }
        #expect(error?.code == "engine_unavailable")
        #expect(try await harness.store.liveInstances().isEmpty)
    }

    // MARK: Sessions

    @Test func launchesACreatingSession() async throws {
        let harness = try await Harness()
        let reserved = try await harness.reserveSession(SessionRequest(migProfile: "none", name: "train"))
        #expect(reserved.state == .creating)
        harness.clock.advance(by: 3)

        try await harness.reconciler.reconcileAll()

        let running = try await harness.session(reserved.id)
        #expect(running.state == .running)
        #expect(running.stateReason == nil)
        #expect(running.updatedAt == harness.clock.now)
        #expect(
            harness.workspaces.prepared == [
                FakeWorkspaceProvisioner.Prepared(path: "/srv/gantry/workspaces/alice", uid: 20_000, gid: 20_000)
            ])
        let network = try #require(harness.runtime.networks.first)
        #expect(network.name == "gantry-sessions")
        #expect(network.isolated)
        let spec = try #require(harness.runtime.createdSpecs.first)
        #expect(
            spec
                == ContainerSpecBuilder.spec(
                    for: reserved.workload, installationID: Fixtures.installationID, networkID: network.id))
        #expect(spec.user == "20000:20000")
        #expect(spec.network == network.id)
        #expect(spec.labels[ContainerLabels.kind] == "session")
        let container = try #require(harness.runtime.containers.first)
        #expect(running.containerID == container.id)
        #expect(container.status == .running)
    }

    @Test func aSessionsGPUDeviceReachesItsContainer() async throws {
        let harness = try await Harness()
        try await harness.store.saveGPUInventory(
            StoredGPUInventory(node: "local", inventory: Fixtures.inventory, refreshedAt: Fixtures.start))
        let reserved = try await harness.reserveSession(SessionRequest(migProfile: "1g.10gb", name: "gpu"))
        #expect(reserved.gpu?.deviceUUID == Fixtures.migUUID)

        try await harness.reconciler.reconcileAll()

        #expect(try await harness.session(reserved.id).state == .running)
        #expect(harness.runtime.createdSpecs.first?.gpuDeviceIDs == [Fixtures.migUUID])
    }

    @Test func aWorkspaceThatCannotBePreparedFailsTheSession() async throws {
        let harness = try await Harness()
        harness.workspaces.setFailure("disk full")
        let reserved = try await harness.reserveSession(SessionRequest(migProfile: "none", name: "train"))

        try await harness.reconciler.reconcileAll()

        let failed = try await harness.session(reserved.id)
        #expect(failed.state == .failed)
        #expect(failed.stateReason == "preparing the workspace failed: disk full")
        #expect(failed.endedAt == harness.clock.now)
        #expect(harness.runtime.createdSpecs.isEmpty)
        #expect(try await harness.store.activeSessions().isEmpty)
    }

    @Test func anExpiredRunningSessionIsEndedAsExpired() async throws {
        let harness = try await Harness()
        let reserved = try await harness.reserveSession(SessionRequest(migProfile: "none", ttlMinutes: 30, name: "t"))
        try await harness.reconciler.reconcileAll()
        let running = try await harness.session(reserved.id)
        let containerID = try #require(running.containerID)
        #expect(running.state == .running)

        // Not yet: a minute before the end nothing happens.
        harness.clock.set(reserved.expiresAt.addingTimeInterval(-60))
        try await harness.reconciler.reconcileAll()
        #expect(try await harness.session(reserved.id).state == .running)

        harness.clock.set(reserved.expiresAt.addingTimeInterval(5))
        try await harness.reconciler.reconcileAll()

        let expired = try await harness.session(reserved.id)
        #expect(expired.state == .expired)
        #expect(expired.stateReason == "TTL reached at \(reserved.expiresAt)")
        #expect(expired.endedAt == harness.clock.now)
        #expect(harness.runtime.container(containerID) == nil)
        #expect(try await harness.store.activeSessions().isEmpty)
    }

    @Test func aRunningSessionWhoseContainerDiedIsFailed() async throws {
        let harness = try await Harness()
        let reserved = try await harness.reserveSession(SessionRequest(migProfile: "none", name: "train"))
        try await harness.reconciler.reconcileAll()
        let containerID = try #require(try await harness.session(reserved.id).containerID)
        harness.runtime.exit(containerID, code: 2)

        try await harness.reconciler.reconcileAll()

        let failed = try await harness.session(reserved.id)
        #expect(failed.state == .failed)
        #expect(failed.stateReason == "container exited with exit code 2")
    }

    @Test func createWaitsForTheReconcilerToRunTheSession() async throws {
        let harness = try await Harness()
        async let created = harness.sessions.create(
            SessionRequest(migProfile: "none", name: "dev"), by: Harness.alice)
        let ran = try await eventually(timeout: .seconds(10), every: .milliseconds(20)) {
            try await harness.reconciler.reconcileAll()
            return try await harness.store.activeSessions().contains { $0.state == .running }
        }
        #expect(ran)
        let session = try await created
        #expect(session.state == .running)
        #expect(session.name == "dev")
        #expect(session.ownerID == Fixtures.alice.id)
    }
}
