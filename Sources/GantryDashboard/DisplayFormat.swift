import Foundation

/// How numbers, sizes and times read on the dashboard.
enum DisplayFormat {
    static func cpu(_ cores: Double) -> String {
        let rounded = (cores * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%g", rounded)
    }

    static func memory(mb: Int) -> String {
        if mb >= 1024 {
            let gb = Double(mb) / 1024
            return gb == gb.rounded() ? "\(Int(gb)) GB" : String(format: "%.1f GB", gb)
        }
        return "\(mb) MB"
    }

    static func bytes(mb: Int) -> String { memory(mb: mb) }

    /// `2026-11-23 10:15 UTC`: unambiguous without JavaScript; the script adds local relative times.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    /// A remaining time for people: `1h 05m`, `42m`, `expired`.
    static func remaining(until date: Date, now: Date = Date()) -> String {
        let seconds = Int(date.timeIntervalSince(now))
        guard seconds > 0 else { return "expired" }
        let hours = seconds / 3600
        let minutes = (seconds % 3600) / 60
        if hours > 0 { return "\(hours)h \(String(format: "%02d", minutes))m left" }
        if minutes > 0 { return "\(minutes)m left" }
        return "\(seconds)s left"
    }

    static func percent(_ fraction: Double?) -> String {
        guard let fraction, fraction.isFinite else { return "—" }
        return "\(Int((fraction * 100).rounded()))%"
    }
}

/// A timestamp as the templates show it: `<time datetime=iso data-relative>text</time>`.
struct TimeView: Sendable {
    var iso: String
    var text: String

    init(_ date: Date) {
        iso = DisplayFormat.iso(date)
        text = DisplayFormat.timestamp(date)
    }

    init?(_ date: Date?) {
        guard let date else { return nil }
        self.init(date)
    }
}

/// The colour of a state badge (see the stylesheet's badge variants).
enum BadgeTone {
    static func forState(_ state: String) -> String {
        switch state {
        case "running", "completed", "online", "active", "free": "badge-ok"
        case "pending", "creating", "queued", "processing", "stopping", "terminating", "draining", "enrolled":
            "badge-warn"
        case "failed", "dead", "dead-lettered": "badge-danger"
        case "admin", "mig", "whole_gpu", "whole_gpu_fallback": "badge-info"
        default: "badge-muted"
        }
    }
}

/// One resource's use against its total, for a `<meter>` bar.
struct UsageView: Sendable {
    var label: String
    var figure: String
    var value: Double
    var max: Double
    var low: Double
    var high: Double
    var percent: String

    init(label: String, used: Double, total: Double, figure: String) {
        self.label = label
        self.figure = figure
        value = Swift.max(0, used)
        max = Swift.max(total, 0.0001)
        low = max * 0.7
        high = max * 0.9
        percent = total > 0 ? DisplayFormat.percent(used / total) : "—"
    }
}
