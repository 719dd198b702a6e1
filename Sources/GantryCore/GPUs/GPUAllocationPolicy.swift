/// Picks the device for a GPU request from what is free. Pure: the caller holds the lock that
/// makes "free" true until its reservation is written.
public enum GPUAllocationPolicy {
    public struct Choice: Sendable, Equatable {
        public var node: String
        public var assignment: GPUAssignment
    }

    /// `eligibleNodes` are the nodes that are online and fit the session's CPU and memory.
    /// Order is deterministic: node, then GPU index, then device, so tests can predict it.
    public static func choose(
        _ request: GPURequest, devices: [SchedulableGPUDevice], held: Set<String>, eligibleNodes: Set<String>
    ) throws(GantryError) -> Choice? {
        let free =
            devices
            .filter { !held.contains($0.uuid) && eligibleNodes.contains($0.node) }
            .sorted { ($0.node, $0.gpuIndex, $0.uuid) < ($1.node, $1.gpuIndex, $1.uuid) }
        let wholeGPU = free.first { $0.kind == .wholeGPU }
        switch request {
        case .none:
            return nil
        case .full:
            if let device = wholeGPU { return choice(device, kind: .wholeGPU) }
            throw shortage(
                "no whole GPU is free: \(count(devices, kind: .wholeGPU)) GPUs without MIG, all held or on unavailable nodes"
            )
        case .mig(let profile):
            if let device = free.first(where: { $0.kind == .mig && $0.profile == profile }) {
                return choice(device, kind: .mig)
            }
            // Seed 001: GPUs without MIG serve MIG requests whole.
            if let device = wholeGPU { return choice(device, kind: .wholeGPUFallback) }
            let existing = devices.filter { $0.kind == .mig && $0.profile == profile }.count
            let detail =
                existing == 0
                ? "no MIG device of profile \(profile) exists and no GPU without MIG is free"
                : "all \(existing) MIG devices of profile \(profile) are held and no GPU without MIG is free"
            throw shortage(detail)
        }
    }

    private static func choice(_ device: SchedulableGPUDevice, kind: GPUAllocationKind) -> Choice {
        Choice(
            node: device.node,
            assignment: GPUAssignment(
                kind: kind, deviceUUID: device.uuid, gpuIndex: device.gpuIndex, gpuModel: device.gpuModel,
                profile: device.profile))
    }

    private static func count(_ devices: [SchedulableGPUDevice], kind: SchedulableGPUDevice.Kind) -> Int {
        devices.filter { $0.kind == kind }.count
    }

    private static func shortage(_ detail: String) -> GantryError {
        GantryError(.insufficientCapacity, code: "gpu_unavailable", detail: detail)
    }
}
