import GantryCore

/// Turns the output of `nvidia-smi -q -x` and `nvidia-smi -L` into a `GPUInventory`. Pure, so the
/// fixtures test it without a process.
public enum NvidiaSMIInventoryParser {
    /// - Parameters:
    ///   - xml: `nvidia-smi -q -x`, the authority on which GPUs exist, their MIG mode and the GPU and
    ///     compute instance ids of their MIG devices.
    ///   - list: `nvidia-smi -L`, the only output naming MIG UUIDs and profiles. Without it, MIG
    ///     devices get an empty UUID and a profile derived from their size (empty if that fails).
    ///
    /// GPU indices follow the report's order, which is nvidia-smi's (and `--gpus device=`'s) index
    /// order; `minor_number` can differ from it and is not used. A MIG device known only from `-L`
    /// (the report has no `<mig_devices>`) gets -1 for ids the listing does not carry.
    public static func parse(xml: String, list: String?) throws(NvidiaSMIError) -> GPUInventory {
        let report = try NvidiaSMIXMLParser.parse(xml)
        let listed = list.map(NvidiaSMIListParser.parse) ?? []
        let gpus = report.gpus.enumerated().map { position, gpu in
            physicalGPU(gpu, index: position, listed: listed.first { $0.uuid == gpu.uuid })
        }
        return GPUInventory(driverVersion: report.driverVersion, cudaVersion: report.cudaVersion, gpus: gpus)
    }

    static func physicalGPU(_ gpu: NvidiaSMIReport.GPU, index: Int, listed: NvidiaSMIListedGPU?) -> PhysicalGPU {
        var migDevices: [MIGDevice] = []
        if gpu.migMode == .enabled {
            let listedDevices = listed?.migDevices ?? []
            if gpu.migDevices.isEmpty {
                migDevices = listedDevices.map(migDevice(listedOnly:))
            } else {
                migDevices = gpu.migDevices.map { migDevice($0, listed: match($0, in: listedDevices)) }
            }
        }
        return PhysicalGPU(
            index: index, uuid: gpu.uuid, model: gpu.productName.isEmpty ? listed?.model ?? "" : gpu.productName,
            memoryMB: gpu.memoryMB ?? 0, migMode: gpu.migMode, migDevices: migDevices)
    }

    /// Older drivers put the instance ids in the listed UUID, which is the surer match; otherwise
    /// both outputs number a GPU's MIG devices the same way.
    private static func match(
        _ device: NvidiaSMIReport.MIGDevice, in listed: [NvidiaSMIListedMIGDevice]
    ) -> NvidiaSMIListedMIGDevice? {
        if let byInstance = listed.first(where: {
            $0.gpuInstanceID == device.gpuInstanceID && $0.computeInstanceID == device.computeInstanceID
        }) {
            return byInstance
        }
        return listed.first { $0.index == device.index && $0.gpuInstanceID == nil }
    }

    private static func migDevice(_ device: NvidiaSMIReport.MIGDevice, listed: NvidiaSMIListedMIGDevice?) -> MIGDevice {
        let profile = listed?.profile ?? derivedProfile(device)?.name ?? ""
        return MIGDevice(
            uuid: listed?.uuid ?? "", profile: profile, gpuInstanceID: device.gpuInstanceID,
            computeInstanceID: device.computeInstanceID,
            memoryMB: device.memoryMB ?? nominalMemoryMB(profile) ?? 0)
    }

    private static func migDevice(listedOnly device: NvidiaSMIListedMIGDevice) -> MIGDevice {
        MIGDevice(
            uuid: device.uuid, profile: device.profile, gpuInstanceID: device.gpuInstanceID ?? -1,
            computeInstanceID: device.computeInstanceID ?? -1, memoryMB: nominalMemoryMB(device.profile) ?? 0)
    }

    /// A compute-instance name such as `1c.3g.20gb` shares its GPU instance's (`3g.20gb`) memory.
    private static func nominalMemoryMB(_ profile: String) -> Int? {
        let parts = profile.split(separator: ".", maxSplits: 1)
        let instanceProfile = parts.count == 2 && parts[0].hasSuffix("c") ? String(parts[1]) : profile
        return MIGProfile.parse(name: instanceProfile)?.nominalMemoryMB
    }

    /// For when `-L` is missing: one copy engine per compute slice (H100's 7g has 8, hence the cap)
    /// and the smallest catalog size the instance's memory reaches 85 % of, since usable memory is a
    /// little under the nominal size (3g.20gb has 19.6 GiB). Nil when nothing in the catalog fits.
    static func derivedProfile(_ device: NvidiaSMIReport.MIGDevice) -> MIGProfile? {
        guard let engines = device.copyEngineCount, engines > 0, let memoryMB = device.memoryMB, memoryMB > 0 else {
            return nil
        }
        let slices = min(engines, 7)
        let gibibytes = Double(memoryMB) / 1024
        return MIGProfile.catalog
            .filter { profile in
                let nominal = Double(profile.memoryGB)
                return profile.computeSlices == slices && gibibytes <= nominal && gibibytes >= 0.85 * nominal
            }
            .min { $0.memoryGB < $1.memoryGB }
    }
}
