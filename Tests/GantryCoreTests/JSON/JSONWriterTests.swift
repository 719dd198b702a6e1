import Foundation
import GantryCore
import Testing

/// The writer's bytes equal `JSONEncoder`'s (sorted keys, no escaped slashes) wherever
/// `JSONEncoder` can write the value at all: stored text and hashes do not change with it.
@Suite struct JSONWriterTests {
    static func foundation(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func everyControlCharacterAndTheEscapesMatch() throws {
        var text = ""
        for code in 0..<0x20 { text.unicodeScalars.append(Unicode.Scalar(UInt8(code))) }
        text += "\"\\/\u{7F}\u{80}\u{2028}\u{2029}\u{FEFF}é🚀"
        let value = JSONValue.array([.string(text)])
        #expect(value.serializedString() == (try Self.foundation(value)))
    }

    @Test func keysAreSortedAsJSONEncoderSortsThem() throws {
        let keys = ["a10", "a9", "B", "a", "é", "e", "Z", "_", "aa", "A", "10", "9", "🚀", "\u{FF}", "", " "]
        let value = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.integer($0.count)) }))
        #expect(value.serializedString() == (try Self.foundation(value)))
    }

    @Test func numbersFromIntAndDoubleMatch() throws {
        let numbers: [JSONValue] = [
            .integer(0), .integer(-1), .integer(.max), .integer(.min), .double(1.0), .double(0.1), .double(-0.0),
            .double(1e300), .double(1.5e-7), .double(123456789012345678.0), .double(1e15), .double(1e16),
            .double(.leastNonzeroMagnitude), .double(.greatestFiniteMagnitude),
        ]
        #expect(JSONValue.array(numbers).serializedString() == (try Self.foundation(.array(numbers))))
    }

    @Test func aNestedDocumentMatches() throws {
        let value = try JSONValue(
            parsing: #"{"z":[{"b":null,"a":[true,false]},"x"],"model":{"threshold":0.5,"layers":[64,32]},"":{}}"#)
        #expect(value.serializedString() == (try Self.foundation(value)))
    }

    @Test func literalsAreWrittenAsTheyCame() throws {
        let text = #"{"a":99999999999999999999999,"b":-0,"c":1.0,"d":1e2,"e":1E-7,"f":0.10}"#
        #expect(try JSONValue(parsing: text).serializedString() == text)
    }
}

@Suite struct JSONPrettyPrintingTests {
    @Test func indentedLikeJSONEncoderWithLiteralsKept() throws {
        let value = try JSONValue(parsing: #"{"b":[1.0,{"c":1e2}],"a":{},"e":[],"d":"x"}"#)
        #expect(
            value.prettyPrinted() == """
                {
                  "a" : {},
                  "b" : [
                    1.0,
                    {
                      "c" : 1e2
                    }
                  ],
                  "d" : "x",
                  "e" : []
                }
                """)
        #expect(JSONValue.integer(3).prettyPrinted() == "3")
    }
}
