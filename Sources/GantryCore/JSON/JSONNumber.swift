/// A JSON number as it was written: `99999999999999999999999`, `-0`, `1.0` and `1e2` keep their
/// value and their spelling from the request to the plugin, the store and the response. Equality
/// is by spelling (`1` and `1.0` differ, as `JSONValue`'s `==` is structural); JSON Schema
/// compares the values (`mathematicallyEquals(_:)`).
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The literal, always valid under RFC 8259's number grammar.
    public let literal: String

    /// A literal checked against the grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    public init?(literal: some StringProtocol) {
        let text = String(literal)
        guard Self.isValid(text.utf8) else { return nil }
        self.literal = text
    }

    /// For the parser, which has already checked the grammar.
    init(validLiteral: String) {
        self.literal = validLiteral
    }

    public init(_ value: Int) {
        self.literal = String(value)
    }

    /// A finite double, spelled as Foundation's `JSONEncoder` spells it (`1` for 1.0, `1e+300`);
    /// nil for NaN and the infinities, which JSON cannot express.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        self.literal = Self.encoderSpelling(of: value)
    }

    public var description: String { literal }

    /// The nearest double (infinite for literals beyond its range, as `1e400`).
    public var doubleValue: Double {
        Double(literal) ?? .nan
    }

    /// The exact value as an `Int` when it is a whole number in range, whatever the spelling
    /// (`1.0`, `1e2`, `-0`); nil otherwise.
    public var intValue: Int? {
        if let plain = Int(literal) { return plain }
        let parts = Self.decimalParts(literal)
        guard parts.exponent >= 0 else { return nil }
        // At most 19 digits fit; an exponent that large cannot be in range once digits are there.
        guard parts.digits.isEmpty || parts.digits.count + parts.exponent <= 19 else { return nil }
        let whole = parts.digits.isEmpty ? "0" : parts.digits + String(repeating: "0", count: parts.exponent)
        return Int((parts.negative ? "-" : "") + whole)
    }

    /// Whether the value is a whole number (`1.0` and `1e2` are; `1.5` and `1e-2` are not), as
    /// JSON Schema's `integer` type asks, exactly and at any size.
    public var isIntegral: Bool {
        let parts = Self.decimalParts(literal)
        return parts.digits.isEmpty || parts.exponent >= 0
    }

    /// Whether the literal is written as an integer Swift's `Int` holds, in the spelling
    /// `String(Int)` gives (so not `-0`, `01` or `1.0`).
    public var isPlainInt: Bool {
        guard let value = Int(literal) else { return false }
        return String(value) == literal
    }

    /// Whether Foundation's `JSONEncoder` writes this very literal for some `Int` or `Double`:
    /// then a generated encoder round-trips it unchanged.
    public var isEncoderSpelling: Bool {
        if isPlainInt { return true }
        let value = doubleValue
        return value.isFinite && Self.encoderSpelling(of: value) == literal
    }

    /// `JSONEncoder`'s spelling of a finite double: Swift's shortest round-trip description
    /// without a trailing `.0`.
    static func encoderSpelling(of value: Double) -> String {
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// The value as sign, significant digits with no leading or trailing zeros, and a power of
    /// ten: `-12.50e1` is (true, "125", 0). Zero has no digits.
    static func decimalParts(_ literal: String) -> (negative: Bool, digits: String, exponent: Int) {
        var text = Substring(literal)
        let negative = text.first == "-"
        if negative { text = text.dropFirst() }
        var exponent = 0
        if let marker = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            // Exponents beyond Int's range are clamped: such values are far outside every Int.
            let written = text[text.index(after: marker)...]
            exponent = Int(written) ?? (written.first == "-" ? Int.min / 2 : Int.max / 2)
            text = text[..<marker]
        }
        var digits = text
        if let point = text.firstIndex(of: ".") {
            let fraction = text[text.index(after: point)...]
            exponent = exponent.subtractingReportingOverflow(fraction.count).partialValue
            digits = text[..<point] + fraction
        }
        let leading = digits.drop { $0 == "0" }
        var significant = Substring(leading)
        while significant.last == "0" {
            significant = significant.dropLast()
            exponent = exponent.addingReportingOverflow(1).partialValue
        }
        return (negative, String(significant), significant.isEmpty ? 0 : exponent)
    }

    /// RFC 8259's number grammar over UTF-8 bytes.
    static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        var index = bytes.startIndex
        func at(_ predicate: (UInt8) -> Bool) -> Bool {
            index != bytes.endIndex && predicate(bytes[index])
        }
        func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        func digits() -> Bool {
            guard at(isDigit) else { return false }
            while at(isDigit) { index = bytes.index(after: index) }
            return true
        }
        if at({ $0 == UInt8(ascii: "-") }) { index = bytes.index(after: index) }
        if at({ $0 == UInt8(ascii: "0") }) {
            index = bytes.index(after: index)
        } else if !digits() {
            return false
        }
        if at({ $0 == UInt8(ascii: ".") }) {
            index = bytes.index(after: index)
            guard digits() else { return false }
        }
        if at({ $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            index = bytes.index(after: index)
            if at({ $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }) { index = bytes.index(after: index) }
            guard digits() else { return false }
        }
        return index == bytes.endIndex
    }
}
