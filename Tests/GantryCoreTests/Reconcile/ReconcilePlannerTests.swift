import Foundation
import GantryCore
import Testing

@Suite struct ReconcilePlannerTests {
    typealias F = WorkloadFixtures

    static let now = Date(timeIntervalSince1970: 1_700_010_000)
    static let old = now.addingTimeInterval(-3600)
    static let young = now.addingTimeInterval(-10)
    let policy = ReconcilePolicy()

    // MARK: Builders

    func instance(
        _ n: UInt8, node: String = "n1", state: InstanceState = .running, desired: DesiredState = .running,
        containerID: String? = nil, noContainer: Bool = false
    ) -> Workload {
        F.instance(
            id: F.id(n), state: state, desired: desired, node: node,
            containerID: noContainer ? nil : (containerID ?? "c\(n)")
        ).workload
    }

    func session(
        _ n: UInt8, node: String = "n1", state: SessionState = .running, containerID: String? = nil,
        noContainer: Bool = false, createdAt: Date = old, expiresAt: Date = now.addingTimeInterval(3600)
    ) -> Workload {
        var workload = F.session(
            id: F.id(n), state: state, node: node, containerID: noContainer ? nil : (containerID ?? "c\(n)"),
            expiresAt: expiresAt
        ).workload
        workload.createdAt = createdAt
        if state == .creating { workload.phaseSince = createdAt }
        return workload
    }

    func jobAttempt(_ n: UInt8, node: String = "n1", status: JobStatus = .processing) -> Workload {
        let job = F.job(id: F.id(n), status: status, attempts: 1)
        let template = ContainerTemplate.forJobAttempt(
            job: job, attempt: 1, plugin: F.plugin(), containerUser: nil, pidsLimit: 256, tmpfsSizeMB: 64,
            nameSuffix: "abcd")
        return .jobAttempt(
            job: job, attempt: 1, node: node, resources: WorkloadResources(cpu: 0.5, memoryMB: 128),
            template: template)
    }

    func container(
        _ id: String, kind: String? = "instance", owner: UUID?, status: ContainerObservation.Status = .running,
        exitCode: Int? = nil, createdAt: Date? = old, idLabel: String? = nil
    ) -> ContainerObservation {
        var labels = [ContainerLabels.installation: "inst-1"]
        if let kind { labels[ContainerLabels.kind] = kind }
        if let label = idLabel ?? owner?.uuidString { labels[ContainerLabels.id] = label }
        return ContainerObservation(
            id: id, name: "gantry-\(id)", labels: labels, status: status, exitCode: exitCode, createdAt: createdAt)
    }

    func ref(_ workload: Workload) -> WorkloadReference { WorkloadReference(workload) }

    func plan(_ desired: [Workload], _ nodes: [String: NodeObservation]) -> [ReconcileAction] {
        ReconcilePlanner.plan(desired: desired, observed: ObservedCluster(nodes: nodes), now: Self.now, policy: policy)
    }

    // MARK: Steady state

    @Test func aSteadyClusterNeedsNothing() {
        let web = instance(1)
        let parked = instance(2, state: .stopped, desired: .stopped)
        let train = session(3)
        let job = jobAttempt(4)
        let observed: [String: NodeObservation] = [
            "n1": .containers([
                container("c1", owner: web.id), container("c2", owner: parked.id, status: .exited, exitCode: 0),
                container("c3", kind: "session", owner: train.id),
                container("job-c", kind: "job", owner: job.id),
            ])
        ]
        #expect(plan([web, parked, train, job], observed).isEmpty)
    }

    @Test func nothingAtAllNeedsNothing() {
        #expect(plan([], [:]).isEmpty)
        #expect(plan([], ["n1": .containers([])]).isEmpty)
    }

    // MARK: Instances

    @Test func aPendingInstanceIsLaunched() {
        let web = instance(1, state: .pending, noContainer: true)
        #expect(plan([web], ["n1": .containers([])]) == [.launch(ref(web))])
        let created = instance(2, state: .pending, containerID: "c2")
        #expect(
            plan([created], ["n1": .containers([container("c2", owner: created.id, status: .created)])])
                == [.launch(ref(created))])
    }

    @Test(arguments: [InstanceState.pending, .running, .stopping])
    func anInstanceWantedStoppedIsStopped(state: InstanceState) {
        let web = instance(1, state: state, desired: .stopped)
        #expect(plan([web], ["n1": .containers([container("c1", owner: web.id)])]) == [.stop(ref(web))])
    }

    @Test(arguments: [InstanceState.pending, .running, .stopping, .stopped, .terminating])
    func anInstanceWantedAbsentIsTerminated(state: InstanceState) {
        let web = instance(1, state: state, desired: .terminated)
        #expect(
            plan([web], ["n1": .containers([container("c1", owner: web.id)])])
                == [.terminate(ref(web), reason: "terminated")])
    }

    @Test func aKilledInstanceIsMarkedStopped() {
        let web = instance(1)
        let actions = plan([web], ["n1": .containers([container("c1", owner: web.id, status: .exited, exitCode: 137)])])
        #expect(actions == [.markStopped(ref(web), exitCode: 137)])
        #expect(actions.first?.reason == "container exited unexpectedly with code 137")
        let dead = plan([web], ["n1": .containers([container("c1", owner: web.id, status: .dead)])])
        #expect(dead == [.markStopped(ref(web), exitCode: nil)])
        #expect(dead.first?.reason == "container exited unexpectedly")
    }

    @Test(arguments: [ContainerObservation.Status.created, .paused, .restarting, .removing])
    func otherContainerStatesLeaveARunningInstanceAlone(status: ContainerObservation.Status) {
        let web = instance(1)
        #expect(plan([web], ["n1": .containers([container("c1", owner: web.id, status: status)])]).isEmpty)
    }

    @Test(arguments: [InstanceState.running, .stopped])
    func aContainerRemovedBehindGantrysBackFailsTheInstance(state: InstanceState) {
        let web = instance(1, state: state, desired: state == .running ? .running : .stopped)
        #expect(
            plan([web], ["n1": .containers([])]) == [.fail(ref(web), reason: "container was removed outside Gantry")])
    }

    @Test func aSteadyInstanceWithoutAContainerIsLeftAlone() {
        let web = instance(1, state: .stopped, desired: .stopped, noContainer: true)
        #expect(plan([web], ["n1": .containers([])]).isEmpty)
    }

    @Test func anInstanceStoppingWhileWantedRunningIsLeftAlone() {
        // Only a start (stopped → pending) makes it run again.
        let web = instance(1, state: .stopping, desired: .running)
        #expect(plan([web], ["n1": .containers([container("c1", owner: web.id, status: .exited)])]).isEmpty)
    }

    @Test(arguments: [InstanceState.terminated, .failed])
    func endedInstancesGetNothing(state: InstanceState) {
        let web = instance(1, state: state, desired: .terminated, noContainer: true)
        #expect(plan([web], ["n1": .containers([])]).isEmpty)
        #expect(plan([web], [:]).isEmpty)
    }

    // MARK: Sessions

    @Test func aCreatingSessionIsLaunched() {
        let train = session(1, state: .creating, noContainer: true, createdAt: Self.young)
        #expect(plan([train], ["n1": .containers([])]) == [.launch(ref(train))])
    }

    @Test func aStuckCreatingSessionFails() {
        let stuck = session(1, state: .creating, noContainer: true, createdAt: Self.now.addingTimeInterval(-901))
        #expect(plan([stuck], ["n1": .containers([])]) == [.fail(ref(stuck), reason: "creation did not finish")])
        // The clock alone decides: an unreachable engine does not keep it creating.
        #expect(plan([stuck], ["n1": .unreachable(reason: "timeout")]).map(\.reason) == ["creation did not finish"])
        let onTime = session(2, state: .creating, noContainer: true, createdAt: Self.now.addingTimeInterval(-900))
        #expect(plan([onTime], ["n1": .containers([])]) == [.launch(ref(onTime))])
    }

    @Test func theCreationTimeoutIsAPolicy() {
        let train = session(1, state: .creating, noContainer: true, createdAt: Self.now.addingTimeInterval(-120))
        let strict = ReconcilePolicy(danglingGrace: 60, sessionCreationTimeout: 60)
        #expect(
            ReconcilePlanner.plan(
                desired: [train], observed: ObservedCluster(nodes: ["n1": .containers([])]), now: Self.now,
                policy: strict) == [.fail(ref(train), reason: "creation did not finish")])
    }

    @Test func aSessionPastItsTTLExpires() {
        let due = session(1, expiresAt: Self.now)
        let actions = plan([due], ["n1": .containers([container("c1", kind: "session", owner: due.id)])])
        #expect(actions == [.expire(ref(due), ttlEnd: Self.now)])
        #expect(actions.first?.reason == "TTL reached at 2023-11-15 01:00:00 +0000")
        let notYet = session(2, expiresAt: Self.now.addingTimeInterval(1))
        #expect(plan([notYet], ["n1": .containers([container("c2", kind: "session", owner: notYet.id)])]).isEmpty)
    }

    @Test func expiryGoesBeforeADeadContainerAndNeedsNoEngine() {
        let due = session(1, expiresAt: Self.old)
        #expect(plan([due], ["n1": .containers([])]) == [.expire(ref(due), ttlEnd: Self.old)])
        #expect(plan([due], ["n1": .unreachable(reason: "refused")]) == [.expire(ref(due), ttlEnd: Self.old)])
        #expect(plan([due], [:]) == [.expire(ref(due), ttlEnd: Self.old)])
    }

    @Test func aCreatingSessionDoesNotExpire() {
        let train = session(1, state: .creating, noContainer: true, createdAt: Self.young, expiresAt: Self.old)
        #expect(plan([train], ["n1": .containers([])]) == [.launch(ref(train))])
    }

    @Test func aSessionWhoseContainerStoppedFails() {
        let train = session(1)
        #expect(
            plan(
                [train],
                ["n1": .containers([container("c1", kind: "session", owner: train.id, status: .exited, exitCode: 1)])])
                == [.fail(ref(train), reason: "container exited with exit code 1")])
        #expect(
            plan([train], ["n1": .containers([container("c1", kind: "session", owner: train.id, status: .paused)])])
                == [.fail(ref(train), reason: "container paused")])
        #expect(plan([train], ["n1": .containers([])]) == [.fail(ref(train), reason: "container disappeared")])
    }

    @Test func aRunningSessionWithoutAContainerIsLeftAlone() {
        #expect(plan([session(1, noContainer: true)], ["n1": .containers([])]).isEmpty)
    }

    @Test func aSessionWaitingOnANodeWithoutAnEngineFails() {
        let train = session(1, state: .creating, noContainer: true, createdAt: Self.young)
        #expect(plan([train], [:]) == [.fail(ref(train), reason: "node 'n1' has no engine configured")])
        #expect(plan([session(2)], [:]).isEmpty)
    }

    @Test(arguments: [SessionState.expired, .terminated, .failed])
    func endedSessionsGetNothing(state: SessionState) {
        #expect(plan([session(1, state: state, expiresAt: Self.old)], ["n1": .containers([])]).isEmpty)
    }

    // MARK: Reachability

    @Test func anUnreachableEngineGetsNoActionsAndNoSweep() {
        let workloads = [
            instance(1, state: .pending, noContainer: true), instance(2, desired: .stopped),
            instance(3, state: .terminating, desired: .terminated), instance(4), session(5),
            session(6, state: .creating, noContainer: true, createdAt: Self.young),
        ]
        #expect(plan(workloads, ["n1": .unreachable(reason: "connection refused")]).isEmpty)
    }

    @Test func aNodeWithoutAnEngineOnlyTerminatesInRecord() {
        let gone = instance(1, node: "gone", state: .terminating, desired: .terminated)
        let wanted = instance(2, node: "gone")
        let pending = instance(3, node: "gone", state: .pending, noContainer: true)
        #expect(
            plan([gone, wanted, pending], ["n1": .containers([])])
                == [.terminate(ref(gone), reason: "terminated; node 'gone' is gone")])
        #expect(
            plan([gone], ["gone": .noRuntime]) == [.terminate(ref(gone), reason: "terminated; node 'gone' is gone")])
    }

    // MARK: Dangling containers

    @Test func anOrphanIsRemovedOnlyOnceItIsPastTheGrace() {
        let stranger = F.id(9)
        let observed: [String: NodeObservation] = [
            "n1": .containers([
                container("old", owner: stranger, createdAt: Self.old),
                container("young", owner: stranger, createdAt: Self.young),
                container("edge", owner: stranger, createdAt: Self.now.addingTimeInterval(-60)),
                container("unknown-age", owner: stranger, createdAt: nil),
            ])
        ]
        let reason = "no instance \(stranger.uuidString) exists"
        #expect(
            plan([], observed) == [
                .removeDangling(node: "n1", containerID: "edge", name: "gantry-edge", reason: reason),
                .removeDangling(node: "n1", containerID: "old", name: "gantry-old", reason: reason),
                .removeDangling(node: "n1", containerID: "unknown-age", name: "gantry-unknown-age", reason: reason),
            ])
    }

    @Test func theOrphanOfAnEndedWorkloadIsRemoved() {
        let web = instance(1, state: .terminated, desired: .terminated, noContainer: true)
        let train = session(2, state: .expired, containerID: "c2")
        let observed: [String: NodeObservation] = [
            "n1": .containers([
                container("c1", owner: web.id), container("c2", kind: "session", owner: train.id),
            ])
        ]
        #expect(
            plan([web, train], observed) == [
                .removeDangling(
                    node: "n1", containerID: "c1", name: "gantry-c1", reason: "instance \(web.id.uuidString) has ended"),
                .removeDangling(
                    node: "n1", containerID: "c2", name: "gantry-c2", reason: "session \(train.id.uuidString) has ended"
                ),
            ])
    }

    @Test func aDuplicateOfARecordedContainerIsRemoved() {
        let web = instance(1, containerID: "recorded-container")
        let observed: [String: NodeObservation] = [
            "n1": .containers([container("recorded-container", owner: web.id), container("duplicate", owner: web.id)])
        ]
        #expect(
            plan([web], observed) == [
                .removeDangling(
                    node: "n1", containerID: "duplicate", name: "gantry-duplicate",
                    reason: "instance \(web.id.uuidString) runs container recorded-con")
            ])
    }

    @Test func aWorkloadBeingCreatedProtectsEveryContainerWithItsID() {
        let web = instance(1, state: .pending, noContainer: true)
        let observed: [String: NodeObservation] = [
            "n1": .containers([container("a", owner: web.id), container("b", owner: web.id)])
        ]
        #expect(plan([web], observed) == [.launch(ref(web))])
    }

    @Test func aLiveWorkloadProtectsItsContainersOnEveryNode() {
        let web = instance(1, node: "n1", state: .pending, noContainer: true)
        let observed: [String: NodeObservation] = [
            "n1": .containers([]), "n2": .containers([container("elsewhere", owner: web.id)]),
        ]
        #expect(plan([web], observed) == [.launch(ref(web))])
    }

    @Test func aContainerWithoutAWorkloadIDIsDangling() {
        let observed: [String: NodeObservation] = [
            "n1": .containers([
                container("no-id", owner: nil), container("bad-id", owner: nil, idLabel: "not-a-uuid"),
                container("no-id-young", owner: nil, createdAt: Self.young),
            ])
        ]
        #expect(
            plan([], observed) == [
                // Ordered by the raw label: none ("") before "not-a-uuid".
                .removeDangling(
                    node: "n1", containerID: "no-id", name: "gantry-no-id", reason: "it carries no workload id"),
                .removeDangling(
                    node: "n1", containerID: "bad-id", name: "gantry-bad-id", reason: "it carries no workload id"),
            ])
    }

    @Test func containersOfAnUnknownKindAreLeftAlone() {
        let observed: [String: NodeObservation] = [
            "n1": .containers([
                container("desktop", kind: "desktop", owner: F.id(1)),
                container("unlabelled", kind: nil, owner: F.id(2)),
            ])
        ]
        #expect(plan([], observed).isEmpty)
    }

    @Test func ownershipNeedsTheSameKind() {
        let web = instance(1, state: .pending, noContainer: true)
        let observed: [String: NodeObservation] = [
            "n1": .containers([container("posing", kind: "session", owner: web.id)])
        ]
        #expect(
            plan([web], observed) == [
                .launch(ref(web)),
                .removeDangling(
                    node: "n1", containerID: "posing", name: "gantry-posing",
                    reason: "no session \(web.id.uuidString) exists"),
            ])
    }

    @Test func aTerminatingInstanceKeepsItsContainerForTheTerminate() {
        let web = instance(1, state: .terminating, desired: .terminated)
        #expect(
            plan([web], ["n1": .containers([container("c1", owner: web.id)])])
                == [.terminate(ref(web), reason: "terminated")])
    }

    @Test func theIDLabelMayBeLowerCase() {
        let web = instance(1)
        let observed: [String: NodeObservation] = [
            "n1": .containers([container("c1", owner: nil, idLabel: web.id.uuidString.lowercased())])
        ]
        #expect(plan([web], observed).isEmpty)
    }

    // MARK: Job attempts

    @Test func aLiveJobAttemptProtectsItsContainersAndIsNeverDriven() {
        let job = jobAttempt(1)
        let queued = jobAttempt(2, status: .queued)
        let observed: [String: NodeObservation] = [
            "n1": .containers([
                container("attempt", kind: "job", owner: job.id, status: .exited, exitCode: 1),
                container("leftover", kind: "job", owner: job.id, status: .created),
            ])
        ]
        #expect(queued.phase == .ended)
        #expect(plan([job, queued], observed).isEmpty)
    }

    @Test func aFinishedJobsContainerIsSwept() {
        let done = jobAttempt(1, status: .completed)
        let observed: [String: NodeObservation] = [
            "n1": .containers([
                container("attempt", kind: "job", owner: done.id, status: .exited),
                container("stray", kind: "job", owner: F.id(7), status: .exited),
                container("starting", kind: "job", owner: F.id(8), createdAt: Self.young),
            ])
        ]
        #expect(
            plan([done], observed) == [
                .removeDangling(
                    node: "n1", containerID: "attempt", name: "gantry-attempt",
                    reason: "job \(done.id.uuidString) has ended"),
                .removeDangling(
                    node: "n1", containerID: "stray", name: "gantry-stray",
                    reason: "no job \(F.id(7).uuidString) exists"),
            ])
    }

    // MARK: Several nodes, and order

    @Test func severalNodesWithMixedStates() {
        let launching = instance(3, node: "n1", state: .pending, noContainer: true)
        let killed = instance(2, node: "n1")
        let stopping = instance(1, node: "n2", state: .running, desired: .stopped)
        let dueSession = session(4, node: "n2", expiresAt: Self.old)
        let unreachable = instance(5, node: "n3", state: .terminating, desired: .terminated)
        let gone = instance(6, node: "n4", state: .terminating, desired: .terminated)
        let job = jobAttempt(7, node: "n1")
        let observed: [String: NodeObservation] = [
            "n1": .containers([
                container("c2", owner: killed.id, status: .exited, exitCode: 143),
                container("orphan-1", owner: F.id(20)),
                container("job-c", kind: "job", owner: job.id),
            ]),
            "n2": .containers([
                container("c1", owner: stopping.id), container("c4", kind: "session", owner: dueSession.id),
                container("orphan-2", kind: "session", owner: F.id(21)),
            ]),
            "n3": .unreachable(reason: "tls handshake failed"),
            "n4": .noRuntime,
        ]
        let expected: [ReconcileAction] = [
            .markStopped(ref(killed), exitCode: 143),
            .launch(ref(launching)),
            .removeDangling(
                node: "n1", containerID: "orphan-1", name: "gantry-orphan-1",
                reason: "no instance \(F.id(20).uuidString) exists"),
            .stop(ref(stopping)),
            .expire(ref(dueSession), ttlEnd: Self.old),
            .removeDangling(
                node: "n2", containerID: "orphan-2", name: "gantry-orphan-2",
                reason: "no session \(F.id(21).uuidString) exists"),
            .terminate(ref(gone), reason: "terminated; node 'n4' is gone"),
        ]
        let workloads = [launching, killed, stopping, dueSession, unreachable, gone, job]
        #expect(plan(workloads, observed) == expected)
        #expect(plan(workloads.reversed(), observed) == expected)
    }

    @Test func theOrderIsNodeThenKindThenID() {
        let workloads = [
            session(1, node: "b", state: .creating, noContainer: true, createdAt: Self.young),
            instance(9, node: "a", state: .pending, noContainer: true),
            instance(2, node: "b", state: .pending, noContainer: true),
            session(3, node: "a", state: .creating, noContainer: true, createdAt: Self.young),
            instance(1, node: "a", state: .pending, noContainer: true),
        ]
        let observed: [String: NodeObservation] = ["a": .containers([]), "b": .containers([])]
        let order = plan(workloads, observed).compactMap(\.workload).map {
            "\($0.node) \($0.kind) \($0.id.uuidString.prefix(2))"
        }
        #expect(order == ["a instance 01", "a instance 09", "a session 03", "b instance 02", "b session 01"])
    }

    @Test func actionsNameTheirWorkloadAndNode() {
        let web = instance(1)
        let action = ReconcileAction.fail(ref(web), reason: "x")
        #expect(action.workload == WorkloadReference(kind: .instance, id: F.id(1), node: "n1"))
        #expect(action.node == "n1" && action.reason == "x")
        let dangling = ReconcileAction.removeDangling(node: "n2", containerID: "c", name: "n", reason: "r")
        #expect(dangling.workload == nil && dangling.node == "n2" && dangling.reason == "r")
        #expect(ReconcileAction.launch(ref(web)).reason == nil && ReconcileAction.stop(ref(web)).reason == nil)
    }
}
