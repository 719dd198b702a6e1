import Foundation
import GantryCore
import SWXMLHash

/// What `nvidia-smi -q -x` says, reduced to the fields the inventory needs.
struct NvidiaSMIReport: Sendable, Equatable {
    struct GPU: Sendable, Equatable {
        var pciBusID: String?
        var productName: String
        var uuid: String
        /// `/dev/nvidia<minor>`; kept for diagnostics only, it need not match the index.
        var minorNumber: Int?
        var memoryMB: Int?
        var migMode: PhysicalGPU.MIGMode
        var migDevices: [MIGDevice]
    }

    /// One `<mig_device>`. The XML names neither its UUID nor its profile; `nvidia-smi -L` does.
    struct MIGDevice: Sendable, Equatable {
        var index: Int
        /// -1 when the report leaves it out.
        var gpuInstanceID: Int
        var computeInstanceID: Int
        var memoryMB: Int?
        /// One copy engine per compute slice of the GPU instance (capped at 7: 7g on H100 has 8).
        var copyEngineCount: Int?
    }

    var driverVersion: String?
    var cudaVersion: String?
    var gpus: [GPU]
}

/// Reads `nvidia-smi -q -x`. Only the elements below are looked at; everything else in the (long)
/// report is ignored, so new driver versions adding elements do not matter.
enum NvidiaSMIXMLParser {
    static func parse(_ xml: String) throws(NvidiaSMIError) -> NvidiaSMIReport {
        let document = XMLHash.config { options in options.detectParsingErrors = true }.parse(xml)
        if case .parsingError(let error) = document {
            throw .malformedXML("not well-formed XML (line \(error.line), column \(error.column))")
        }
        let log = document["nvidia_smi_log"]
        guard log.element != nil else {
            throw .malformedXML("no <nvidia_smi_log> root element")
        }
        var gpus: [NvidiaSMIReport.GPU] = []
        for (position, gpu) in log["gpu"].all.enumerated() {
            gpus.append(try parseGPU(gpu, position: position))
        }
        return NvidiaSMIReport(
            driverVersion: value(log["driver_version"]), cudaVersion: value(log["cuda_version"]), gpus: gpus)
    }

    private static func parseGPU(_ gpu: XMLIndexer, position: Int) throws(NvidiaSMIError) -> NvidiaSMIReport.GPU {
        let busID = gpu.element?.attribute(by: "id")?.text
        guard let uuid = value(gpu["uuid"]) else {
            throw .malformedXML("<gpu> number \(position) (\(busID ?? "no bus id")) has no <uuid>")
        }
        let migMode = migMode(value(gpu["mig_mode"]["current_mig"]))
        let migDevices =
            migMode == .enabled ? gpu["mig_devices"]["mig_device"].all.enumerated().map(parseMIGDevice) : []
        return NvidiaSMIReport.GPU(
            pciBusID: busID,
            productName: value(gpu["product_name"]) ?? "",
            uuid: uuid,
            minorNumber: value(gpu["minor_number"]).flatMap { Int($0) },
            memoryMB: mebibytes(value(gpu["fb_memory_usage"]["total"])),
            migMode: migMode,
            migDevices: migDevices.sorted { $0.index < $1.index }
        )
    }

    private static func parseMIGDevice(position: Int, device: XMLIndexer) -> NvidiaSMIReport.MIGDevice {
        let shared = device["device_attributes"]["shared"]
        return NvidiaSMIReport.MIGDevice(
            index: integer(device["index"]) ?? position,
            gpuInstanceID: integer(device["gpu_instance_id"]) ?? -1,
            computeInstanceID: integer(device["compute_instance_id"]) ?? -1,
            memoryMB: mebibytes(value(device["fb_memory_usage"]["total"])),
            copyEngineCount: integer(shared["copy_engine_count"])
        )
    }

    /// `N/A` (and `[N/A]`, `[Not Supported]`, …) on a GPU without MIG; anything unknown is treated
    /// the same, since only `Enabled` changes how the GPU may be used.
    private static func migMode(_ text: String?) -> PhysicalGPU.MIGMode {
        switch text?.lowercased() {
        case "enabled": .enabled
        case "disabled": .disabled
        default: .unsupported
        }
    }

    /// Trimmed text, or nil when absent, empty or one of nvidia-smi's placeholders (`N/A`,
    /// `[Insufficient Permissions]`, `[Not Supported]`, …).
    private static func value(_ indexer: XMLIndexer) -> String? {
        guard let text = indexer.element?.text.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty,
            text != "N/A", !text.hasPrefix("[")
        else { return nil }
        return text
    }

    private static func integer(_ indexer: XMLIndexer) -> Int? {
        value(indexer).flatMap { Int($0) }
    }

    /// `"81559 MiB"` → 81559. nvidia-smi always prints MiB; GiB is accepted for safety.
    static func mebibytes(_ text: String?) -> Int? {
        guard let text else { return nil }
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = parts.first, let amount = Int(first), amount >= 0 else { return nil }
        switch parts.count == 2 ? parts[1].lowercased() : "mib" {
        case "mib", "mb": return amount
        case "gib", "gb": return amount * 1024
        default: return nil
        }
    }
}
