/// A MIG GPU-instance profile such as `3g.20gb`: 3 compute slices of the GPU and 20 GB of its memory.
///
/// The name is derived from the fields, so a profile can never disagree with its own name.
public struct MIGProfile: Sendable, Hashable, CustomStringConvertible {
    /// Compute slices the instance owns (the `3` in `3g.20gb`).
    public var computeSlices: Int
    /// Compute slices of the whole GPU: 7 on A100, H100 and H200, 4 on A30.
    public var totalSlices: Int
    /// Memory in NVIDIA's nominal GB (the `20` in `3g.20gb`); the usable amount is slightly less.
    public var memoryGB: Int
    /// `+me`: the instance also owns the GPU's media engines (decoders, JPEG, OFA).
    public var hasMediaExtensions: Bool

    public init(computeSlices: Int, totalSlices: Int, memoryGB: Int, hasMediaExtensions: Bool = false) {
        self.computeSlices = computeSlices
        self.totalSlices = totalSlices
        self.memoryGB = memoryGB
        self.hasMediaExtensions = hasMediaExtensions
    }

    /// The name as `nvidia-smi` prints it, e.g. `3g.20gb` or `1g.10gb+me`.
    public var name: String {
        "\(computeSlices)g.\(memoryGB)gb" + (hasMediaExtensions ? Self.mediaExtensionSuffix : "")
    }

    public var description: String { name }

    /// The nominal memory in MiB, for when nothing reports the real size.
    public var nominalMemoryMB: Int { memoryGB * 1024 }

    /// Whether the instance takes every compute slice (`7g` on A100/H100, `4g` on A30).
    public var isWholeGPU: Bool { computeSlices == totalSlices }
}

extension MIGProfile {
    static let mediaExtensionSuffix = "+me"

    /// The profiles NVIDIA documents: seed 001's A100-40GB table first, then the others by memory.
    ///
    /// `+me` variants are not listed; `named(_:)` and `parse(name:)` accept them.
    public static let catalog: [MIGProfile] = [
        // Seed 001 (A100-40GB).
        seven(1, 5), seven(2, 10), seven(3, 20), seven(4, 20), seven(7, 40),
        // A30-24GB, A100-80GB/H100-80GB (1g.10gb also on A100-40GB), H100-94GB (NVL) and H200-141GB.
        four(1, 6), seven(1, 10), seven(1, 12), four(2, 12), seven(1, 18), seven(1, 20), seven(2, 20),
        seven(1, 24), seven(2, 24), four(4, 24), seven(1, 35), seven(2, 35), seven(3, 40), seven(4, 40),
        seven(3, 47), seven(4, 47), seven(3, 71), seven(4, 71), seven(7, 80), seven(7, 94), seven(7, 141),
    ]

    private static func seven(_ slices: Int, _ memoryGB: Int) -> MIGProfile {
        MIGProfile(computeSlices: slices, totalSlices: 7, memoryGB: memoryGB)
    }

    private static func four(_ slices: Int, _ memoryGB: Int) -> MIGProfile {
        MIGProfile(computeSlices: slices, totalSlices: 4, memoryGB: memoryGB)
    }

    /// The catalog profile with this name; a `+me` name finds its base profile with media extensions.
    public static func named(_ name: String) -> MIGProfile? {
        guard let parsed = parse(name: name) else { return nil }
        return catalogEntry(for: parsed)
    }

    /// Any well-formed `<n>g.<m>gb[+me]` name, so profiles of GPUs newer than the catalog still work.
    /// Known names take their slice total from the catalog; unknown ones assume 7, as on every MIG
    /// GPU except A30.
    public static func parse(name: String) -> MIGProfile? {
        var core = Substring(name)
        var media = false
        if core.hasSuffix(mediaExtensionSuffix) {
            core = core.dropLast(mediaExtensionSuffix.count)
            media = true
        }
        guard core.hasSuffix("gb") else { return nil }
        let parts = core.dropLast(2).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].hasSuffix("g"),
            let slices = positiveDecimal(parts[0].dropLast(), maxDigits: 1), slices <= 7,
            let memory = positiveDecimal(parts[1], maxDigits: 4)
        else { return nil }
        let parsed = MIGProfile(computeSlices: slices, totalSlices: 7, memoryGB: memory, hasMediaExtensions: media)
        return catalogEntry(for: parsed) ?? parsed
    }

    /// Whether `name` is a profile a request may ask for. The caller handles its own words such as
    /// `none` or `full` before asking.
    public static func isValidRequest(_ name: String) -> Bool {
        parse(name: name) != nil
    }

    private static func catalogEntry(for parsed: MIGProfile) -> MIGProfile? {
        guard
            var entry = catalog.first(where: {
                $0.computeSlices == parsed.computeSlices && $0.memoryGB == parsed.memoryGB
            })
        else { return nil }
        entry.hasMediaExtensions = parsed.hasMediaExtensions
        return entry
    }

    /// Digits only, no sign, no leading zero, above zero.
    private static func positiveDecimal(_ text: Substring, maxDigits: Int) -> Int? {
        guard !text.isEmpty, text.count <= maxDigits, text.first != "0",
            text.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        return Int(text)
    }
}
