import Foundation
import GantryCore

/// An RFC 6901 JSON Pointer, kept as its unescaped reference tokens.
struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    var tokens: [String]

    static let root = JSONPointer(tokens: [])

    init(tokens: [String]) {
        self.tokens = tokens
    }

    /// Parses pointer text such as "/a~1b/0". Returns nil for text that is neither empty nor
    /// starts with "/", or that has a "~" not followed by 0 or 1.
    init?(parsing text: String) {
        if text.isEmpty {
            self.tokens = []
            return
        }
        guard text.hasPrefix("/") else { return nil }
        var tokens: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let token = Self.unescape(raw) else { return nil }
            tokens.append(token)
        }
        self.tokens = tokens
    }

    var description: String {
        tokens.reduce(into: "") { text, token in
            text += "/"
            text += Self.escape(token)
        }
    }

    func appending(_ token: String) -> JSONPointer {
        JSONPointer(tokens: tokens + [token])
    }

    func appending(_ more: [String]) -> JSONPointer {
        JSONPointer(tokens: tokens + more)
    }

    /// The value the pointer designates inside `document`, or nil when it designates nothing.
    func value(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
            case .array(let items):
                // RFC 6901: array indices are decimal digits without leading zeros.
                guard let index = Self.arrayIndex(token), index < items.count else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Escapes one reference token ("~" → "~0", "/" → "~1").
    static func escape(_ token: String) -> String {
        guard token.contains(where: { $0 == "~" || $0 == "/" }) else { return token }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    private static func unescape(_ raw: Substring) -> String? {
        guard raw.contains("~") else { return String(raw) }
        var result = ""
        var iterator = raw.makeIterator()
        while let character = iterator.next() {
            guard character == "~" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "0": result.append("~")
            case "1": result.append("/")
            default: return nil
            }
        }
        return result
    }

    private static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.allSatisfy(\.isASCII), token.allSatisfy(\.isNumber) else { return nil }
        if token.count > 1 && token.hasPrefix("0") { return nil }
        return Int(token)
    }
}
