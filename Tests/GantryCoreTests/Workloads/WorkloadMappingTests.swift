import Foundation
import GantryCore
import Testing

@Suite struct WorkloadMappingTests {
    typealias F = WorkloadFixtures

    static let instancePhases: [(InstanceState, WorkloadPhase)] = [
        (.pending, .pending), (.running, .running), (.stopping, .stopping), (.stopped, .stopped),
        (.terminating, .ending), (.terminated, .ended), (.failed, .ended),
    ]

    @Test func everyInstanceStateHasAPhase() {
        #expect(Self.instancePhases.map(\.0) == InstanceState.allCases)
        for (state, phase) in Self.instancePhases {
            #expect(F.instance(state: state).workload.phase == phase, "\(state)")
        }
    }

    @Test func instanceDesiredStates() {
        #expect(F.instance(desired: .running).workload.desired == .running)
        #expect(F.instance(desired: .stopped).workload.desired == .stopped)
        #expect(F.instance(desired: .terminated).workload.desired == .absent)
        for desired in WorkloadDesiredState.allCases {
            #expect(DesiredState(desired).workloadDesiredState == desired)
        }
    }

    @Test func instanceFields() {
        var instance = F.instance(state: .stopped, desired: .stopped)
        instance.gpus = 1
        instance.stateChangedAt = F.later
        let workload = instance.workload
        #expect(workload.kind == .instance && workload.id == F.instanceID && workload.name == "web")
        #expect(workload.ownerID == F.ownerID && workload.node == "local")
        #expect(workload.resources == WorkloadResources(cpu: 1.5, memoryMB: 256, gpus: 1))
        #expect(workload.gpuDevices.isEmpty)
        #expect(workload.containerID == "c-instance" && workload.hostPort == 8001)
        #expect(workload.template == instance.template)
        #expect(workload.createdAt == F.created && workload.phaseSince == F.later)
        #expect(workload.expiresAt == nil)
    }

    static let sessionPhases: [(SessionState, WorkloadPhase, WorkloadDesiredState)] = [
        (.creating, .pending, .running), (.running, .running, .running), (.expired, .ended, .absent),
        (.terminated, .ended, .absent), (.failed, .ended, .absent),
    ]

    @Test func everySessionStateHasAPhaseAndADesiredState() {
        #expect(Self.sessionPhases.map(\.0) == SessionState.allCases)
        for (state, phase, desired) in Self.sessionPhases {
            let workload = F.session(state: state).workload
            #expect(workload.phase == phase, "\(state)")
            #expect(workload.desired == desired, "\(state)")
        }
    }

    @Test func sessionPhaseSince() {
        let ended = Date(timeIntervalSince1970: 1_700_001_000)
        #expect(F.session(state: .creating).workload.phaseSince == F.created)
        #expect(F.session(state: .running).workload.phaseSince == F.later)
        #expect(F.session(state: .expired, endedAt: ended).workload.phaseSince == ended)
        #expect(F.session(state: .failed, endedAt: nil).workload.phaseSince == F.later)
    }

    @Test func sessionFields() {
        let expires = Date(timeIntervalSince1970: 1_700_007_200)
        let workload = F.session(gpu: F.migAssignment, expiresAt: expires).workload
        #expect(workload.kind == .session && workload.id == F.sessionID && workload.name == "train")
        #expect(workload.resources == WorkloadResources(cpu: 2, memoryMB: 4096, gpus: 1))
        #expect(workload.gpuDevices == [F.migDevice])
        #expect(workload.hostPort == nil && workload.containerID == "c-session")
        #expect(workload.expiresAt == expires)
        #expect(F.session(gpu: nil).workload.resources.gpus == 0)
        #expect(F.session(gpu: nil).workload.gpuDevices.isEmpty)
    }

    func attempt(_ job: Job, _ number: Int) -> Workload {
        let template = ContainerTemplate.forJobAttempt(
            job: job, attempt: number, plugin: F.plugin(), containerUser: nil, pidsLimit: 256, tmpfsSizeMB: 64,
            nameSuffix: "abcd")
        return Workload.jobAttempt(
            job: job, attempt: number, node: "gpu-1", resources: WorkloadResources(cpu: 0.5, memoryMB: 128),
            template: template)
    }

    @Test func theAttemptAProcessingJobHoldsIsRunning() {
        let workload = attempt(F.job(status: .processing, attempts: 2), 2)
        #expect(workload.kind == .job && workload.id == F.jobID && workload.name == "word-count")
        #expect(workload.phase == .running && workload.desired == .running)
        #expect(workload.node == "gpu-1" && workload.containerID == nil && workload.hostPort == nil)
        #expect(workload.phaseSince == F.later && workload.createdAt == F.created)
        #expect(workload.resources == WorkloadResources(cpu: 0.5, memoryMB: 128, gpus: 0))
    }

    @Test func theNextAttemptOfAQueuedJobIsPending() {
        #expect(attempt(F.job(status: .queued, attempts: 1), 2).phase == .pending)
        #expect(attempt(F.job(status: .queued, attempts: 1), 1).phase == .ended)
    }

    @Test func otherAttemptsHaveEnded() {
        #expect(attempt(F.job(status: .processing, attempts: 3), 2).phase == .ended)
        #expect(attempt(F.job(status: .processing, attempts: 3), 2).desired == .absent)
        for status in [JobStatus.completed, .failed] {
            #expect(attempt(F.job(status: status, attempts: 2), 2).phase == .ended)
        }
    }

    @Test func onlyJobsAreNotReconciled() {
        #expect(WorkloadKind.allCases.filter { !$0.isReconciled } == [.job])
        #expect(WorkloadKind.allCases.map(\.rawValue) == ["instance", "session", "job"])
    }
}
