/// The CPU, memory and GPUs one workload holds. Unlike `ResourceAmount` it counts no
/// instances: it describes one workload, not a user's total.
public struct WorkloadResources: Sendable, Equatable {
    public var cpu: Double
    public var memoryMB: Int
    public var gpus: Int

    public init(cpu: Double, memoryMB: Int, gpus: Int = 0) {
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.gpus = gpus
    }

    /// A plugin's per-attempt resources.
    public init(_ resources: Plugin.Resources) {
        self.init(cpu: resources.cpu, memoryMB: resources.memoryMB, gpus: resources.gpus)
    }
}
