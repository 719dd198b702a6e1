import Foundation

extension GPUSession {
    /// The session as the reconcile planner and the spec builder see it. A session has no desired
    /// state of its own: an active one should run, an ended one be gone. Its record keeps no
    /// state-change time, so `phaseSince` is the creation while creating, the last update while
    /// running and the end once ended.
    public var workload: Workload {
        let phaseSince: Date =
            switch state {
            case .creating: createdAt
            case .running: updatedAt
            case .expired, .terminated, .failed: endedAt ?? updatedAt
            }
        return Workload(
            kind: .session, id: id, name: name, ownerID: ownerID, node: node,
            resources: WorkloadResources(cpu: cpu, memoryMB: memoryMB, gpus: gpu == nil ? 0 : 1),
            gpuDevices: gpu.map { [$0.deviceUUID] } ?? [], desired: state.isActive ? .running : .absent,
            phase: state.workloadPhase, containerID: containerID, hostPort: nil, template: template,
            createdAt: createdAt, phaseSince: phaseSince, expiresAt: expiresAt)
    }
}

extension SessionState {
    /// `creating` is `pending`; every way a session ends is `ended`.
    public var workloadPhase: WorkloadPhase {
        switch self {
        case .creating: .pending
        case .running: .running
        case .expired, .terminated, .failed: .ended
        }
    }
}
