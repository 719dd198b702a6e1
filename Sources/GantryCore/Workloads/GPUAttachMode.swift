/// How a workload's GPU devices reach its container.
public enum GPUAttachMode: String, Sendable, Equatable, Codable, CaseIterable {
    /// Docker `DeviceRequests` with the device UUID: what `--gpus device=UUID` does.
    case deviceRequest = "device-request"
    /// `NVIDIA_VISIBLE_DEVICES=UUID`, for hosts whose default runtime is NVIDIA's.
    case env
}
