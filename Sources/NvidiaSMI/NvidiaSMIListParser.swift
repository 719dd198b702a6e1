import Foundation

/// One GPU as `nvidia-smi -L` lists it, with its MIG devices.
struct NvidiaSMIListedGPU: Sendable, Equatable {
    var index: Int
    var model: String
    var uuid: String
    var migDevices: [NvidiaSMIListedMIGDevice]
}

/// One `MIG <profile> Device <n>: (UUID: …)` line.
struct NvidiaSMIListedMIGDevice: Sendable, Equatable {
    var index: Int
    /// As printed: `3g.20gb`, `1g.10gb+me`, or `1c.3g.20gb` for a compute instance smaller than
    /// its GPU instance.
    var profile: String
    var uuid: String
    /// Only the older `MIG-GPU-<gpu uuid>/<gi>/<ci>` form carries these.
    var gpuInstanceID: Int?
    var computeInstanceID: Int?
}

/// Reads `nvidia-smi -L`:
///
///     GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-5d5ba0d6-…)
///       MIG 3g.20gb     Device  0: (UUID: MIG-c6d4f1ef-…)
///       MIG 1g.5gb Device 1: (UUID: MIG-GPU-5d5ba0d6-…/7/0)
///
/// Lines it does not recognise are skipped: the listing only adds names to the XML report.
enum NvidiaSMIListParser {
    static func parse(_ text: String) -> [NvidiaSMIListedGPU] {
        var gpus: [NvidiaSMIListedGPU] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if let gpu = parseGPULine(line) {
                gpus.append(gpu)
            } else if let device = parseMIGLine(line), !gpus.isEmpty {
                gpus[gpus.count - 1].migDevices.append(device)
            }
        }
        return gpus
    }

    /// `GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-…)`
    private static func parseGPULine(_ line: String) -> NvidiaSMIListedGPU? {
        guard line.hasPrefix("GPU "), let colon = line.firstIndex(of: ":"),
            let index = Int(line[line.index(line.startIndex, offsetBy: 4)..<colon]),
            let (head, uuid) = splitUUID(line[line.index(after: colon)...])
        else { return nil }
        let model = head.trimmingCharacters(in: .whitespaces)
        return NvidiaSMIListedGPU(index: index, model: model, uuid: uuid, migDevices: [])
    }

    /// `MIG 3g.20gb     Device  0: (UUID: MIG-…)`
    private static func parseMIGLine(_ line: String) -> NvidiaSMIListedMIGDevice? {
        guard line.hasPrefix("MIG "), let (head, uuid) = splitUUID(line[...]) else { return nil }
        let words = head.split(whereSeparator: \.isWhitespace)
        guard words.count == 4, words[0] == "MIG", words[2] == "Device", words[3].hasSuffix(":"),
            let index = Int(words[3].dropLast())
        else { return nil }
        let (gpuInstanceID, computeInstanceID) = legacyInstanceIDs(uuid)
        return NvidiaSMIListedMIGDevice(
            index: index, profile: String(words[1]), uuid: uuid, gpuInstanceID: gpuInstanceID,
            computeInstanceID: computeInstanceID)
    }

    /// Splits `… (UUID: X)` into the text before the parenthesis and `X`.
    private static func splitUUID(_ text: Substring) -> (Substring, String)? {
        let marker = "(UUID: "
        guard text.hasSuffix(")"), let open = text.range(of: marker, options: .backwards) else { return nil }
        let uuid = text[open.upperBound..<text.index(before: text.endIndex)].trimmingCharacters(in: .whitespaces)
        guard !uuid.isEmpty else { return nil }
        return (text[..<open.lowerBound], uuid)
    }

    /// `MIG-GPU-<uuid>/<gi>/<ci>` → (gi, ci); nil for the modern `MIG-<uuid>` form.
    private static func legacyInstanceIDs(_ uuid: String) -> (Int?, Int?) {
        let parts = uuid.split(separator: "/")
        guard uuid.hasPrefix("MIG-GPU-"), parts.count == 3, let gi = Int(parts[1]), let ci = Int(parts[2]) else {
            return (nil, nil)
        }
        return (gi, ci)
    }
}
