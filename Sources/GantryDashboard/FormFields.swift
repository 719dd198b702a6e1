import Foundation
import GantryCore
import Hummingbird
import NIOCore

/// The fields of an `application/x-www-form-urlencoded` body, in order. Hummingbird's form
/// decoder needs a fixed Decodable type; the job form's fields come from a plugin's schema.
struct FormFields: Sendable {
    private(set) var pairs: [(name: String, value: String)]

    init(pairs: [(name: String, value: String)] = []) { self.pairs = pairs }

    init(encoded: String) {
        pairs = encoded.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(pieces[0]), pieces.count > 1 ? Self.decode(pieces[1]) : "")
        }
    }

    /// The first value of `name`, or nil.
    subscript(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// The value of `name` with surrounding whitespace removed; nil when absent or blank.
    func trimmed(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    var names: [String] { pairs.map(\.name) }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Reads a form body of at most `limit` bytes (the route's body limit has already bounded
    /// it; some forms are smaller still); a larger one is a 413.
    static func read(
        _ request: Request, context: some RequestContext, limit: Int = 4 * 1024 * 1024
    ) async throws
        -> FormFields
    {
        do {
            return FormFields(encoded: String(buffer: try await request.body.collect(upTo: limit)))
        } catch is NIOTooManyBytesError {
            throw GantryError(.payloadTooLarge, code: "form_too_large", detail: "the form is limited to \(limit) bytes")
        }
    }
}
