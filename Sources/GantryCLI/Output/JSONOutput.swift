import Foundation
import GantryOpenAPI

/// `--json` output: the API object re-encoded with its wire field names, pretty-printed with sorted keys so
/// scripts and diffs see a stable shape. Numbers of free-form JSON come out as the server sent them
/// (see `NumberLiteralClientMiddleware`).
enum JSONOutput {
    static func render(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Dates.format(date))
        }
        let data = try encoder.encode(value)
        guard let literals = NumberLiterals.current, !literals.isEmpty else {
            return String(decoding: data, as: UTF8.self)
        }
        return String(decoding: literals.splice(into: Array(data)), as: UTF8.self)
    }

    static func print(_ value: some Encodable) throws {
        Console.out(try render(value))
    }
}
