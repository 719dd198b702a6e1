import Foundation
import OpenAPIRuntime

/// RFC 3339 timestamps with or without fractional seconds. The server's transcoder is its own choice, so the
/// client accepts both rather than failing a whole response over a `.123`.
enum ISO8601Dates {
    private static let whole = Date.ISO8601FormatStyle()
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func parse(_ text: String) throws -> Date {
        if let date = try? fractional.parse(text) { return date }
        return try whole.parse(text)
    }

    /// Keeps fractional seconds only when the date has them, so `--json` output mirrors what the server sent.
    static func format(_ date: Date) -> String {
        let hasFraction = date.timeIntervalSince1970.truncatingRemainder(dividingBy: 1) != 0
        return hasFraction ? fractional.format(date) : whole.format(date)
    }
}

/// Plugs `ISO8601Dates` into the generated client's converter.
struct LenientISO8601DateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String { ISO8601Dates.format(date) }
    func decode(_ text: String) throws -> Date { try ISO8601Dates.parse(text) }
}
