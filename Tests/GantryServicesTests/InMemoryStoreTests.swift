import Foundation
import GantryCore
import GantryPorts
import GantryTestSupport
import Synchronization
import Testing

/// The in-memory twin keeps the store's promises that the services rely on; if it did not, the
/// service tests above would prove nothing.
@Suite struct InMemoryStoreTests {
    func makeStore() async throws -> InMemoryStore {
        let store = InMemoryStore(clock: WallClock { Fixtures.start })
        try await store.createUser(Fixtures.alice)
        try await store.createUser(Fixtures.bob)
        try await store.upsertNode(Fixtures.node("local"))
        return store
    }

    @Test func compareAndSetWritesOnlyFromTheExpectedState() async throws {
        let store = try await makeStore()
        let running = Fixtures.instance(state: .running)
        try store.seed(running)
        var stopped = running
        stopped.state = .stopped
        #expect(try await store.updateInstance(stopped, ifStateIs: .pending) == false)
        #expect(try await store.instance(id: running.id) == running)
        #expect(try await store.updateInstance(stopped, ifStateIs: .running))
        #expect(try await store.instance(id: running.id) == stopped)
        // An instance that is not stored is never written.
        #expect(try await store.updateInstance(Fixtures.instance(id: Fixtures.id(0x77)), ifStateIs: .running) == false)
    }

    @Test func sessionCompareAndSetWritesOnlyFromTheExpectedState() async throws {
        let store = try await makeStore()
        let session = try await reserveSession(store, name: "train")
        var ended = session
        ended.state = .terminated
        #expect(try await store.updateSession(ended, ifStateIs: .running) == false)
        #expect(try await store.updateSession(ended, ifStateIs: .creating))
        #expect(try await store.session(id: session.id)?.state == .terminated)
        #expect(try await store.activeSessions().isEmpty)
    }

    @Test func aReservationSeesUsageAllocationsPortsAndNames() async throws {
        let store = try await makeStore()
        try store.seed(Fixtures.instance(id: Fixtures.id(1), name: "a", state: .running, hostPort: 8000))
        try store.seed(
            Fixtures.instance(id: Fixtures.id(2), name: "b", state: .failed, containerID: nil, hostPort: nil))
        try store.seed(
            Fixtures.instance(
                id: Fixtures.id(3), name: "c", state: .terminated, desired: .terminated, containerID: nil, hostPort: nil
            ))
        let seen = SnapshotBox()
        let reserved = try await store.reserveInstance(ownerID: Fixtures.alice.id) { snapshot in
            seen.set(snapshot)
            return Fixtures.instance(id: Fixtures.id(4), name: "d", state: .pending, containerID: nil, hostPort: 8001)
        }
        let snapshot = try #require(seen.value)
        #expect(snapshot.owner == Fixtures.alice)
        #expect(snapshot.usage == ResourceAmount(instances: 1, cpu: 1, memoryMB: 512))
        #expect(snapshot.ownerInstanceNames == ["a", "b"])
        #expect(snapshot.allocated == ["local": NodeCapacity(cpu: 1, memoryMB: 512)])
        #expect(snapshot.usedPorts == ["local": [8000]])
        #expect(snapshot.nodes.map(\.name) == ["local"])
        #expect(try await store.instance(id: reserved.id) == reserved)
        #expect(try await store.liveInstances().map(\.name).sorted() == ["a", "b", "d"])
    }

    @Test func aReservationThatCollidesIsADuplicateAndWritesNothing() async throws {
        let store = try await makeStore()
        try store.seed(Fixtures.instance(id: Fixtures.id(1), name: "a", hostPort: 8000))
        let name = await #expect(throws: StoreError.self) {
            try await store.reserveInstance(ownerID: Fixtures.alice.id) { _ in
                Fixtures.instance(id: Fixtures.id(2), name: "a", state: .pending, containerID: nil, hostPort: 8005)
            }
        }
        #expect(name == .duplicate(field: "name"))
        let port = await #expect(throws: StoreError.self) {
            try await store.reserveInstance(ownerID: Fixtures.alice.id) { _ in
                Fixtures.instance(id: Fixtures.id(2), name: "z", state: .pending, containerID: nil, hostPort: 8000)
            }
        }
        #expect(port == .duplicate(field: "host_port"))
        let unknown = await #expect(throws: StoreError.self) {
            try await store.reserveInstance(ownerID: Fixtures.id(0xEE)) { _ in Fixtures.instance() }
        }
        #expect(unknown == .notFound)
        #expect(try await store.liveInstances().count == 1)
    }

    @Test func aSessionReservationGivesUIDsAndSeesHeldDevices() async throws {
        let store = try await makeStore()
        try await store.saveGPUInventory(
            StoredGPUInventory(node: "local", inventory: Fixtures.inventory, refreshedAt: Fixtures.start))
        let first = try await reserveSession(store, name: "one", gpu: Fixtures.migUUID)
        #expect(first.posixUID == 20_000)
        let seen = SessionSnapshotBox()
        _ = try await store.reserveSession(ownerID: Fixtures.alice.id, firstPosixUID: 20_000) { snapshot in
            seen.set(snapshot)
            return Self.session(id: Fixtures.id(0x52), name: "two", snapshot: snapshot)
        }
        let snapshot = try #require(seen.value)
        #expect(snapshot.posixUID == 20_000)
        #expect(snapshot.heldDevices == [Fixtures.migUUID])
        #expect(snapshot.devices.count == 3)
        #expect(snapshot.ownerActiveSessionNames == ["one"])
        #expect(snapshot.usage == ResourceAmount(cpu: 1, memoryMB: 1024, gpus: 1))
        // Bob's first session gets the next uid; a refused decision gives none away.
        _ = await #expect(throws: TestFailure.self) {
            try await store.reserveSession(ownerID: Fixtures.bob.id, firstPosixUID: 20_000) { _ in
                throw TestFailure("no")
            }
        }
        let bobs = try await store.reserveSession(ownerID: Fixtures.bob.id, firstPosixUID: 20_000) { snapshot in
            Self.session(id: Fixtures.id(0x53), name: "one", snapshot: snapshot)
        }
        #expect(bobs.posixUID == 20_001)
        // The device is held: another active session cannot take it.
        let taken = await #expect(throws: StoreError.self) {
            try await reserveSession(store, name: "three", gpu: Fixtures.migUUID, id: Fixtures.id(0x54))
        }
        #expect(taken == .duplicate(field: "gpu_uuid"))
        let sameName = await #expect(throws: StoreError.self) {
            try await reserveSession(store, name: "one", id: Fixtures.id(0x55))
        }
        #expect(sameName == .duplicate(field: "name"))
    }

    @Test func aLeaseBelongsToOneHolderUntilItExpires() async throws {
        let store = try await makeStore()
        let now = Fixtures.start
        #expect(try await store.acquireLease("reconciler", holder: "a", duration: 10, now: now))
        #expect(
            try await store.acquireLease("reconciler", holder: "b", duration: 10, now: now.addingTimeInterval(5))
                == false)
        #expect(try await store.acquireLease("reconciler", holder: "a", duration: 10, now: now.addingTimeInterval(9)))
        // a renewed until +19: b still waits at +19, and takes it after.
        #expect(
            try await store.acquireLease("reconciler", holder: "b", duration: 10, now: now.addingTimeInterval(19))
                == false)
        #expect(try await store.acquireLease("reconciler", holder: "b", duration: 10, now: now.addingTimeInterval(20)))
        #expect(
            try await store.acquireLease("reconciler", holder: "a", duration: 10, now: now.addingTimeInterval(21))
                == false)
        // Leases are per name.
        #expect(try await store.acquireLease("other", holder: "a", duration: 10, now: now.addingTimeInterval(21)))
    }

    @Test func jobsAreClaimedDueOldestFirstAndFinishedOnlyByTheirWorker() async throws {
        let store = try await makeStore()
        let now = Fixtures.start
        let admission = JobAdmission(rateLimit: nil, maxQueued: 10)
        func job(_ n: UInt8, runAt: Date) -> Job {
            Job(
                id: Fixtures.id(n), pluginName: "wc", pluginVersion: "1", input: .null, ownerID: Fixtures.alice.id,
                createdAt: now, maxAttempts: 3, runAt: runAt)
        }
        try await store.enqueueJob(job(1, runAt: now.addingTimeInterval(-5)), admission: admission)
        try await store.enqueueJob(job(2, runAt: now.addingTimeInterval(-10)), admission: admission)
        try await store.enqueueJob(job(3, runAt: now.addingTimeInterval(60)), admission: admission)

        let claimed = try await store.claimJobs(
            worker: "w1", limit: 5, now: now, leaseUntil: now.addingTimeInterval(30))
        #expect(claimed.map(\.id) == [Fixtures.id(2), Fixtures.id(1)])
        #expect(claimed.allSatisfy { $0.status == .processing && $0.leaseOwner == "w1" && $0.attempts == 1 })
        #expect(try await store.claimJobs(worker: "w2", limit: 5, now: now, leaseUntil: now).isEmpty)

        var done = claimed[0]
        done.status = .completed
        done.completedAt = now
        let event = JobEvent(jobID: done.id, kind: .status, status: .completed, attempt: 1, at: now)
        #expect(try await store.finishAttempt(done, worker: "w2", leaseExpiredBefore: nil, event: event) == false)
        #expect(try await store.finishAttempt(done, worker: "w1", leaseExpiredBefore: nil, event: event))
        let stored = try await store.job(id: done.id)
        #expect(stored?.status == .completed)
        #expect(stored?.leaseOwner == nil)
        #expect(
            try await store.jobEvents(jobID: done.id, after: 0).map(\.status) == [.queued, .processing, .completed])

        let full = await #expect(throws: JobAdmissionError.self) {
            try await store.enqueueJob(job(4, runAt: now), admission: JobAdmission(rateLimit: nil, maxQueued: 1))
        }
        #expect(full == .queueFull(maxQueued: 1))
    }

    // MARK: Helpers

    static func session(id: UUID, name: String, snapshot: SessionReservationSnapshot, gpu: String? = nil) -> GPUSession
    {
        GPUSession(
            id: id, name: name, ownerID: snapshot.owner.id, node: "local", image: "ubuntu",
            imageReference: "ubuntu:22.04",
            cpu: 1, memoryMB: 1024, requestedProfile: gpu == nil ? "none" : "1g.10gb",
            gpu: gpu.map {
                GPUAssignment(kind: .mig, deviceUUID: $0, gpuIndex: 0, gpuModel: "NVIDIA A100", profile: "1g.10gb")
            },
            workspacePath: "/w/\(snapshot.owner.username)", posixUID: snapshot.posixUID, createdAt: Fixtures.start,
            expiresAt: Fixtures.start.addingTimeInterval(3600),
            template: ContainerTemplate(containerName: "s-\(name)", imageReference: "ubuntu:22.04", pidsLimit: 64))
    }

    func reserveSession(
        _ store: InMemoryStore, name: String, gpu: String? = nil, id: UUID = Fixtures.id(0x51)
    ) async throws -> GPUSession {
        try await store.reserveSession(ownerID: Fixtures.alice.id, firstPosixUID: 20_000) { snapshot in
            Self.session(id: id, name: name, snapshot: snapshot, gpu: gpu)
        }
    }
}

/// Carries a snapshot out of a `@Sendable` decision closure.
final class SnapshotBox: Sendable {
    private let stored = Mutex<ReservationSnapshot?>(nil)
    var value: ReservationSnapshot? { stored.withLock { $0 } }
    func set(_ snapshot: ReservationSnapshot) { stored.withLock { $0 = snapshot } }
}

final class SessionSnapshotBox: Sendable {
    private let stored = Mutex<SessionReservationSnapshot?>(nil)
    var value: SessionReservationSnapshot? { stored.withLock { $0 } }
    func set(_ snapshot: SessionReservationSnapshot) { stored.withLock { $0 = snapshot } }
}
