import Foundation

/// Recognises the ways `nvidia-smi` says "there is no usable GPU here", which Gantry treats as an
/// empty inventory rather than an error: a host without a driver is a normal CPU-only node.
enum NvidiaSMIUnavailable {
    /// Exit statuses nvidia-smi documents for these cases: 6 no devices found, 9 driver not
    /// loaded, 12 NVML library not found.
    static let statuses: Set<Int32> = [6, 9, 12]

    /// Lower-cased phrases from the messages nvidia-smi prints (on stdout) in these cases.
    static let phrases = [
        "couldn't communicate with the nvidia driver",
        "no devices were found",
        "couldn't find libnvidia-ml.so",
        "driver/library version mismatch",
    ]

    /// The matching message when a failed run means "no usable GPU", else nil.
    static func reason(status: Int32, output: String) -> String? {
        guard status != 0 else { return nil }
        let lowered = output.lowercased()
        if phrases.contains(where: lowered.contains) || statuses.contains(status) {
            return firstLine(output) ?? "exit status \(status)"
        }
        return nil
    }

    private static func firstLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).lazy.map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty }
    }
}
