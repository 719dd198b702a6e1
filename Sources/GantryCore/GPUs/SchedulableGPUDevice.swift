/// A device a session can hold: a MIG device of a MIG-enabled GPU, or a whole GPU without MIG.
public struct SchedulableGPUDevice: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case mig
        case wholeGPU = "gpu"
    }

    public var node: String
    public var kind: Kind
    /// `MIG-…` for MIG devices, `GPU-…` for whole GPUs.
    public var uuid: String
    public var gpuIndex: Int
    public var gpuUUID: String
    public var gpuModel: String
    public var memoryMB: Int
    public var profile: String?

    public init(
        node: String, kind: Kind, uuid: String, gpuIndex: Int, gpuUUID: String, gpuModel: String, memoryMB: Int,
        profile: String?
    ) {
        self.node = node
        self.kind = kind
        self.uuid = uuid
        self.gpuIndex = gpuIndex
        self.gpuUUID = gpuUUID
        self.gpuModel = gpuModel
        self.memoryMB = memoryMB
        self.profile = profile
    }

    /// The devices of one host's inventory: MIG devices where MIG is on, whole GPUs otherwise.
    /// A MIG-enabled GPU with no MIG devices configured offers nothing, and a MIG device whose
    /// UUID could not be read (`nvidia-smi -L` failed) cannot be given to a container.
    public static func devices(of inventory: GPUInventory, node: String) -> [SchedulableGPUDevice] {
        inventory.gpus.flatMap { gpu -> [SchedulableGPUDevice] in
            switch gpu.migMode {
            case .enabled:
                return gpu.migDevices.filter { !$0.uuid.isEmpty }.map {
                    SchedulableGPUDevice(
                        node: node, kind: .mig, uuid: $0.uuid, gpuIndex: gpu.index, gpuUUID: gpu.uuid,
                        gpuModel: gpu.model, memoryMB: $0.memoryMB, profile: $0.profile)
                }
            case .disabled, .unsupported:
                return [
                    SchedulableGPUDevice(
                        node: node, kind: .wholeGPU, uuid: gpu.uuid, gpuIndex: gpu.index, gpuUUID: gpu.uuid,
                        gpuModel: gpu.model, memoryMB: gpu.memoryMB, profile: nil)
                ]
            }
        }
    }
}
