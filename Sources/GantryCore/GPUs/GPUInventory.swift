/// The GPUs of one host as `nvidia-smi` reports them.
public struct GPUInventory: Sendable, Equatable, Codable {
    public var driverVersion: String?
    public var cudaVersion: String?
    public var gpus: [PhysicalGPU]

    public init(driverVersion: String? = nil, cudaVersion: String? = nil, gpus: [PhysicalGPU] = []) {
        self.driverVersion = driverVersion
        self.cudaVersion = cudaVersion
        self.gpus = gpus
    }

    public static let empty = GPUInventory()
}

/// One physical GPU.
public struct PhysicalGPU: Sendable, Equatable, Codable {
    public enum MIGMode: String, Sendable, Equatable, Codable {
        /// MIG is on: the GPU is only usable through its MIG devices.
        case enabled
        /// MIG-capable but off: the GPU is used whole.
        case disabled
        /// The GPU has no MIG support.
        case unsupported
    }

    public var index: Int
    /// `GPU-…`, what `--gpus device=` and `NVIDIA_VISIBLE_DEVICES` take for a whole GPU.
    public var uuid: String
    public var model: String
    public var memoryMB: Int
    public var migMode: MIGMode
    /// Empty unless `migMode` is `enabled`.
    public var migDevices: [MIGDevice]

    public init(
        index: Int, uuid: String, model: String, memoryMB: Int, migMode: MIGMode, migDevices: [MIGDevice] = []
    ) {
        self.index = index
        self.uuid = uuid
        self.model = model
        self.memoryMB = memoryMB
        self.migMode = migMode
        self.migDevices = migDevices
    }
}

/// One MIG device (a GPU instance with its compute instance), as containers address it.
public struct MIGDevice: Sendable, Equatable, Codable {
    /// `MIG-…` (or `MIG-GPU-…/gi/ci` on older drivers).
    public var uuid: String
    /// The profile name, e.g. `3g.20gb`.
    public var profile: String
    public var gpuInstanceID: Int
    public var computeInstanceID: Int
    public var memoryMB: Int

    public init(uuid: String, profile: String, gpuInstanceID: Int, computeInstanceID: Int, memoryMB: Int) {
        self.uuid = uuid
        self.profile = profile
        self.gpuInstanceID = gpuInstanceID
        self.computeInstanceID = computeInstanceID
        self.memoryMB = memoryMB
    }
}
