/// Reads one JSON document (RFC 8259, strictly) into a `JSONValue`.
///
/// Written by hand because Foundation's `JSONDecoder` turns every number into an `Int` or a
/// `Double`: `99999999999999999999999` became `1e+23` and `-0` became `0`. Here a number keeps
/// its literal (`JSONNumber`). It also finds a key repeated in one object in the same pass.
struct JSONParser: ~Copyable {
    enum Failure: Error, Sendable {
        case malformed(String)
        case duplicate(JSONDuplicateKey)
    }

    /// As deep as Foundation's decoder goes; nothing Gantry reads nests further.
    static let maximumDepth = 512

    private let bytes: UnsafeRawBufferPointer
    private let refuseDuplicates: Bool
    private var index = 0
    private var depth = 0
    /// The object keys leading to the value being read, for a duplicate's path.
    private var path: [String] = []

    private init(bytes: UnsafeRawBufferPointer, refuseDuplicates: Bool) {
        self.bytes = bytes
        self.refuseDuplicates = refuseDuplicates
    }

    /// The document in `bytes`; with `refuseDuplicates` false the last of two equal keys wins.
    static func parse(_ bytes: UnsafeRawBufferPointer, refuseDuplicates: Bool) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes: bytes, refuseDuplicates: refuseDuplicates)
        parser.skipWhitespace()
        let value = try parser.readValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.unexpected("after the document") }
        return value
    }

    private mutating func readValue() throws(Failure) -> JSONValue {
        guard index < bytes.count else { throw .malformed("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try readObject()
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): return try readWord("true", as: .bool(true))
        case UInt8(ascii: "f"): return try readWord("false", as: .bool(false))
        case UInt8(ascii: "n"): return try readWord("null", as: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default: throw unexpected("where a value should start")
        }
    }

    private mutating func readObject() throws(Failure) -> JSONValue {
        try enter()
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek(UInt8(ascii: "}")) {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek(UInt8(ascii: "\"")) else { throw unexpected("where an object key should be") }
            let key = try readString()
            skipWhitespace()
            guard peek(UInt8(ascii: ":")) else { throw unexpected("where ':' should follow a key") }
            index += 1
            skipWhitespace()
            path.append(key)
            let value = try readValue()
            path.removeLast()
            if members.updateValue(value, forKey: key) != nil, refuseDuplicates {
                throw .duplicate(JSONDuplicateKey(key: key, path: path))
            }
            skipWhitespace()
            guard index < bytes.count else { throw .malformed("unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(members)
            } else {
                throw unexpected("where ',' or '}' should be")
            }
        }
    }

    private mutating func readArray() throws(Failure) -> JSONValue {
        try enter()
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if peek(UInt8(ascii: "]")) {
            index += 1
            depth -= 1
            return .array(items)
        }
        // Array items are not on a duplicate's path (as `JSONDuplicateKey` names object keys only).
        let outer = path
        path = []
        defer { path = outer }
        while true {
            skipWhitespace()
            items.append(try readValue())
            skipWhitespace()
            guard index < bytes.count else { throw .malformed("unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(items)
            } else {
                throw unexpected("where ',' or ']' should be")
            }
        }
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw .malformed("the document nests deeper than \(Self.maximumDepth) levels")
        }
    }

    private mutating func readWord(_ word: StaticString, as value: JSONValue) throws(Failure) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw .malformed("unexpected end of input") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw unexpected("where a value should start")
        }
        index += count
        return value
    }

    private mutating func readNumber() throws(Failure) -> JSONNumber {
        let start = index
        func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        while index < bytes.count,
            isDigit(bytes[index]) || bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "e")
                || bytes[index] == UInt8(ascii: "E") || bytes[index] == UInt8(ascii: "+")
                || bytes[index] == UInt8(ascii: "-")
        {
            index += 1
        }
        let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        guard JSONNumber.isValid(text) else {
            throw .malformed("'\(String(decoding: text, as: UTF8.self))' is not a JSON number \(location(of: start))")
        }
        return JSONNumber(validLiteral: String(decoding: text, as: UTF8.self))
    }

    /// A string (the cursor on its opening quote) with its escapes decoded; the bytes must be UTF-8.
    private mutating func readString() throws(Failure) -> String {
        let start = index
        index += 1
        var segmentStart = index
        var decoded: [UInt8]? = nil
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[segmentStart..<index])
                index += 1
                if var decoded {
                    decoded.append(contentsOf: raw)
                    return try validated(decoded, from: start)
                }
                return try validated(raw, from: start)
            }
            if byte < 0x20 {
                throw .malformed("a control character must be escaped in a string \(location(of: index))")
            }
            guard byte == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            var text = decoded ?? []
            text.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[segmentStart..<index]))
            try readEscape(into: &text)
            decoded = text
            segmentStart = index
        }
        throw .malformed("a string is not terminated \(location(of: start))")
    }

    private mutating func readEscape(into text: inout [UInt8]) throws(Failure) {
        let escapeStart = index
        guard index + 1 < bytes.count else { throw .malformed("unexpected end of input in a string") }
        let escape = bytes[index + 1]
        index += 2
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
            guard var scalar = hex4(at: index) else {
                throw .malformed("'\\u' needs four hexadecimal digits \(location(of: escapeStart))")
            }
            index += 4
            if (0xD800..<0xDC00).contains(scalar) {
                guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u"),
                    let low = hex4(at: index + 2), (0xDC00..<0xE000).contains(low)
                else {
                    throw .malformed("a high surrogate escape has no low surrogate \(location(of: escapeStart))")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                index += 6
            }
            guard let character = Unicode.Scalar(scalar) else {
                throw .malformed("a lone surrogate escape is not a character \(location(of: escapeStart))")
            }
            text.append(contentsOf: String(character).utf8)
        default:
            throw .malformed(
                "'\\\(Character(Unicode.Scalar(escape)))' is not a JSON escape \(location(of: escapeStart))")
        }
    }

    private func validated(_ utf8: some Collection<UInt8>, from start: Int) throws(Failure) -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw .malformed("a string is not valid UTF-8 \(location(of: start))")
        }
        return text
    }

    private func hex4(at position: Int) -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[position..<(position + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private func peek(_ byte: UInt8) -> Bool {
        index < bytes.count && bytes[index] == byte
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    private func unexpected(_ place: String) -> Failure {
        guard index < bytes.count else { return .malformed("unexpected end of input") }
        let byte = bytes[index]
        let shown =
            (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        return .malformed("unexpected \(shown) \(place) \(location(of: index))")
    }

    /// "at line L, column C", both from 1, columns in bytes.
    private func location(of position: Int) -> String {
        var line = 1
        var lineStart = 0
        for offset in 0..<min(position, bytes.count) where bytes[offset] == UInt8(ascii: "\n") {
            line += 1
            lineStart = offset + 1
        }
        return "at line \(line), column \(position - lineStart + 1)"
    }
}
