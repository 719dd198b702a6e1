import GantryOpenAPI

/// How the GPU inventory looks to people: one row per GPU with its MIG devices indented beneath it, so who holds
/// which slice reads top to bottom, and seed 001's profile table with what is free.
enum GPURendering {
    /// Device rows are indented by this much under their GPU.
    static let indent = "    "

    static func table(_ gpus: [Components.Schemas.Gpu]) -> String {
        let gpuLines = lines(
            TableRenderer(columns: [
                .init("NODE"), .init("IDX", alignment: .right), .init("MODEL"), .init("MEMORY", alignment: .right),
                .init("MIG"), .init("HELD BY"),
            ]).render(
                gpus.map { gpu in
                    [
                        gpu.node, String(gpu.index), gpu.model, Format.gigabytes(megabytes: gpu.memoryMb),
                        gpu.migMode.rawValue,
                        // A MIG GPU is only ever held slice by slice; its devices say by whom.
                        gpu.migMode == .enabled ? "-" : holder(gpu.heldBy, inUse: gpu.inUse),
                    ]
                }))
        // One table over every device keeps the device columns aligned across GPUs.
        let deviceLines = lines(
            TableRenderer("PROFILE", "UUID", "HELD BY").render(
                gpus.flatMap(\.migDevices).map { device in
                    [device.profile, device.uuid, holder(device.heldBy, inUse: device.inUse)]
                }))
        var output = gpuLines[0] + "\n"
        var nextDevice = 1
        for (row, gpu) in gpus.enumerated() {
            output += gpuLines[row + 1] + "\n"
            guard !gpu.migDevices.isEmpty else { continue }
            output += indent + deviceLines[0] + "\n"
            for _ in gpu.migDevices {
                output += indent + deviceLines[nextDevice] + "\n"
                nextDevice += 1
            }
        }
        return output
    }

    static func profiles(_ list: Components.Schemas.GPUProfileList) -> String {
        let table = TableRenderer(columns: [
            .init("PROFILE"), .init("MEMORY", alignment: .right), .init("SLICES", alignment: .right),
            .init("TOTAL", alignment: .right), .init("FREE", alignment: .right),
        ]).render(
            list.items.map { profile in
                [
                    profile.profile, "\(profile.memoryGb) GB", profile.sliceFraction, String(profile.total),
                    String(profile.free),
                ]
            })
        let whole = list.wholeGpus
        return table + "Whole GPUs without MIG (profile full): \(whole.total) total, \(whole.free) free\n"
    }

    /// `alice/1a2b3c4d` (username and session ID prefix), just the prefix when the username is hidden from the
    /// caller, or `free`.
    static func holder(_ holder: Components.Schemas.GPUHolder?, inUse: Bool) -> String {
        guard let holder else { return inUse ? "in use" : "free" }
        let session = Format.shortID(holder.sessionId)
        guard let user = holder.userId, !user.isEmpty else { return session }
        return "\(user)/\(session)"
    }

    private static func lines(_ rendered: String) -> [String] {
        rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
