import Foundation

/// Small, pure formatters for table cells, so every command renders numbers, times and IDs the same way.
enum Format {
    /// Enough of a UUID to tell instances apart and to use as an ID prefix.
    static func shortID(_ id: String) -> String { String(id.prefix(8)) }

    /// Cores without noise: `2`, `0.5`, `1.25`.
    static func cpu(_ cores: Double) -> String { decimal(cores) }

    /// At most two decimals, trailing zeros dropped.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let rounded = (value * 100).rounded() / 100
        // The magnitude check keeps Int(_:) from trapping on absurd values.
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// Coarse age, like `docker ps`: `45s`, `12m`, `5h`, `3d`.
    static func age(of date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m"
        case ..<86400: return "\(seconds / 3600)h"
        default: return "\(seconds / 86400)d"
        }
    }

    /// Time left until `date`, e.g. `in 42m`, `in 1h 5m`, `in 2d 3h`, or `expired`. Two units, not one like
    /// `age`, because "in 1h" for 1h59m left would mislead someone deciding whether to extend a session.
    static func expiresIn(_ date: Date, now: Date) -> String {
        let remaining = date.timeIntervalSince(now)
        guard remaining > 0 else { return "expired" }
        let seconds = max(1, Int(remaining.rounded()))
        if seconds < 60 { return "in \(seconds)s" }
        // Whole minutes, rounded: a fresh 60-minute session reads "in 1h", not "in 59m".
        let minutes = (seconds + 30) / 60
        if minutes < 60 { return "in \(minutes)m" }
        let hours = minutes / 60
        if hours < 24 { return "in \(hours)h" + (minutes % 60 == 0 ? "" : " \(minutes % 60)m") }
        return "in \(hours / 24)d" + (hours % 24 == 0 ? "" : " \(hours % 24)h")
    }

    /// Megabytes as gigabytes with one decimal, e.g. `79.6 GB`, for GPU memory that is too large to read in MB.
    static func gigabytes(megabytes: Int) -> String {
        decimal((Double(megabytes) / 1024 * 10).rounded() / 10) + " GB"
    }

    /// A UTC timestamp to the second, unambiguous in any locale.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    /// An empty or absent value shows as `-`, so columns never look shifted.
    static func orDash(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return "-" }
        return value
    }

    static func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

    /// `used/total` for capacity columns.
    static func fraction(_ used: String, _ total: String) -> String { "\(used)/\(total)" }
}
