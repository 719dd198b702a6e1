import Foundation

extension Instance {
    /// The instance as the reconcile planner and the spec builder see it.
    public var workload: Workload {
        Workload(
            kind: .instance, id: id, name: name, ownerID: ownerID, node: node,
            resources: WorkloadResources(cpu: cpu, memoryMB: memoryMB, gpus: gpus), gpuDevices: [],
            desired: desiredState.workloadDesiredState, phase: state.workloadPhase, containerID: containerID,
            hostPort: hostPort, template: template, createdAt: createdAt, phaseSince: stateChangedAt)
    }
}

extension InstanceState {
    /// `terminating` is `ending`; `terminated` and `failed` have both `ended`.
    public var workloadPhase: WorkloadPhase {
        switch self {
        case .pending: .pending
        case .running: .running
        case .stopping: .stopping
        case .stopped: .stopped
        case .terminating: .ending
        case .terminated, .failed: .ended
        }
    }
}

extension DesiredState {
    /// A terminated instance is one that should be absent.
    public var workloadDesiredState: WorkloadDesiredState {
        switch self {
        case .running: .running
        case .stopped: .stopped
        case .terminated: .absent
        }
    }

    /// The instance's own desired state for a kind-neutral one.
    public init(_ desired: WorkloadDesiredState) {
        switch desired {
        case .running: self = .running
        case .stopped: self = .stopped
        case .absent: self = .terminated
        }
    }
}
