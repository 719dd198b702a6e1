import Foundation
import GantryCore

/// A `pattern`/`patternProperties` regular expression, compiled once with the schema.
/// NSRegularExpression (ICU) is Unicode-aware and `Sendable`; JSON Schema patterns are ECMA-262
/// regular expressions, so the few constructs whose meaning differs are rewritten first.
struct JSONSchemaPattern: Sendable {
    let source: String
    let expression: NSRegularExpression

    init(_ source: String, location: String) throws(JSONSchemaError) {
        self.source = source
        do {
            self.expression = try NSRegularExpression(pattern: Self.icuPattern(fromECMAScript: source))
        } catch {
            throw .invalidPattern(pattern: source, location: location, reason: "\(error.localizedDescription)")
        }
    }

    /// Unanchored search, as ECMA-262 `RegExp.prototype.test` does.
    func matches(_ text: String) -> Bool {
        let range = NSRange(location: 0, length: text.utf16.count)
        return expression.firstMatch(in: text, options: [], range: range) != nil
    }

    /// The same search, given up at `deadline`: nil when it was (ICU reports progress during
    /// long matches, so a pattern that backtracks exponentially is stopped within milliseconds).
    func matches(_ text: String, until deadline: ContinuousClock.Instant) -> Bool? {
        guard ContinuousClock.now < deadline else { return nil }
        let range = NSRange(location: 0, length: text.utf16.count)
        var found = false
        var timedOut = false
        expression.enumerateMatches(in: text, options: [.reportProgress], range: range) { result, _, stop in
            if result != nil {
                found = true
                stop.pointee = true
            } else if ContinuousClock.now >= deadline {
                timedOut = true
                stop.pointee = true
            }
        }
        return found || !timedOut ? found : nil
    }

    /// Rewrites ECMA-262 constructs that ICU reads differently:
    /// - `\d`, `\w` (and negations) are ASCII-only in ECMA-262 but Unicode-wide in ICU;
    /// - `\s` also matches U+FEFF in ECMA-262;
    /// - `$` is the end of input in ECMA-262, while ICU also matches before a final newline;
    /// - `\u{…}` code point escapes are `\x{…}` in ICU;
    /// - `[` inside a class is a literal in ECMA-262 but opens a nested set in ICU.
    static func icuPattern(fromECMAScript source: String) -> String {
        var result = ""
        var inClass = false
        var characters = source.makeIterator()
        while let character = characters.next() {
            switch character {
            case "\\":
                guard let escaped = characters.next() else {
                    result.append("\\")
                    continue
                }
                result += translate(escape: escaped, inClass: inClass, remaining: &characters)
            case "[" where !inClass:
                inClass = true
                result.append(character)
            case "[" where inClass:
                // A literal in ECMA-262; ICU would start a nested set.
                result += "\\["
            case "]" where inClass:
                inClass = false
                result.append(character)
            case "$" where !inClass:
                result += "\\z"
            default:
                result.append(character)
            }
        }
        return result
    }

    private static func translate(escape: Character, inClass: Bool, remaining: inout String.Iterator) -> String {
        switch (escape, inClass) {
        case ("d", false): return "[0-9]"
        case ("d", true): return "0-9"
        case ("D", false): return "[^0-9]"
        case ("w", false): return "[A-Za-z0-9_]"
        case ("w", true): return "A-Za-z0-9_"
        case ("W", false): return "[^A-Za-z0-9_]"
        case ("s", false): return "[\\s\\x{FEFF}]"
        case ("s", true): return "\\s\\x{FEFF}"
        case ("S", false): return "[^\\s\\x{FEFF}]"
        case ("u", _):
            // `\u{1F600}` → `\x{1F600}`; a plain `\u0041` is the same in both dialects.
            var copy = remaining
            guard copy.next() == "{" else { return "\\u" }
            remaining = copy
            return "\\x{"
        default:
            // `\D`, `\W`, `\S` inside a class keep ICU's (Unicode) meaning: there is no way to
            // subtract them inside a class without rewriting the whole class.
            return "\\" + String(escape)
        }
    }
}
