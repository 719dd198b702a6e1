/// Writes a `JSONValue` as compact JSON with sorted keys, numbers as their literals.
///
/// Written by hand for the same reason as `JSONParser`: `JSONEncoder` can only write an `Int` or
/// a `Double`. For every value it can write, the output is byte for byte what `JSONEncoder` with
/// `.sortedKeys` and `.withoutEscapingSlashes` writes (keys in UTF-8 order, the same escapes), so
/// text stored before this writer existed reads and compares the same; `JSONWriterTests` holds it
/// to that.
enum JSONWriter {
    /// Compact, or with `indent` (`nil` for compact) as `JSONEncoder`'s `.prettyPrinted` lays
    /// it out: two spaces a level, `"key" : value`, empty containers as `{}` and `[]`.
    static func write(_ value: JSONValue, to output: inout [UInt8], indent: Int? = nil) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number): output.append(contentsOf: number.literal.utf8)
        case .string(let text): write(text, to: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (offset, item) in items.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent.map { $0 + 1 }, to: &output)
                write(item, to: &output, indent: indent.map { $0 + 1 })
            }
            if !items.isEmpty { newline(indent, to: &output) }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (offset, key) in keys.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent.map { $0 + 1 }, to: &output)
                write(key, to: &output)
                output.append(contentsOf: (indent == nil ? ":" : " : ").utf8)
                if let member = members[key] { write(member, to: &output, indent: indent.map { $0 + 1 }) }
            }
            if !keys.isEmpty { newline(indent, to: &output) }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ indent: Int?, to output: inout [UInt8]) {
        guard let indent else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    /// A string with `JSONEncoder`'s escapes: quote, backslash, the short forms for \b \t \n
    /// \f \r, `\u00XX` (lower-case) for the other control characters, everything else as is.
    static func write(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case 0x08: output.append(contentsOf: #"\b"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0C: output.append(contentsOf: #"\f"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0..<0x20:
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
