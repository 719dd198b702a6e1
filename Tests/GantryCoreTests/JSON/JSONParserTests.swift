import Foundation
import GantryCore
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

    func reason(_ text: String) -> String? {
        do {
            _ = try JSONValue(parsing: text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: [
        "99999999999999999999999", "-0", "1.0", "1e2", "1E-7", "0.30000000000000000000000001", "-0.0",
        "123456789012345678901234567890",
    ])
    func numbersKeepTheirLiteral(_ literal: String) throws {
        let document = #"{"n":"# + literal + #","list":["# + literal + "]}"
        let value = try parse(document)
        #expect(value["n"] == .number(try #require(JSONNumber(literal: literal))))
        #expect(value.serializedString() == #"{"list":["# + literal + #"],"n":"# + literal + "}")
    }

    @Test func valuesOfEveryKindAreRead() throws {
        let value = try parse(#" { "a" : [ true , false , null , "x\ty" , {} , [] ] , "b" : -12 } "#)
        #expect(
            value
                == .object([
                    "a": .array([.bool(true), .bool(false), .null, .string("x\ty"), .object([:]), .array([])]),
                    "b": .integer(-12),
                ]))
    }

    @Test func escapesAndUnicodeAreDecoded() throws {
        #expect(try parse(#""\u00e9\ud83d\ude80\/\\\"\b\f\n\r\t""#) == .string("é🚀/\\\"\u{8}\u{C}\n\r\t"))
        #expect(try parse("\"é🚀\"") == .string("é🚀"))
    }

    @Test(arguments: [
        ("", "unexpected end of input"),
        ("{", "unexpected end of input"),
        ("[1,]", "where a value should start"),
        (#"{"a" 1}"#, "where ':' should follow a key"),
        (#"{"a":1,}"#, "where an object key should be"),
        ("[1 2]", "where ',' or ']' should be"),
        ("01", "'01' is not a JSON number"),
        ("1.", "is not a JSON number"),
        ("-", "is not a JSON number"),
        ("NaN", "where a value should start"),
        ("tru", "unexpected end of input"),
        ("nul1", "where a value should start"),
        ("\"a\u{1}b\"", "a control character must be escaped"),
        (#""\q""#, "is not a JSON escape"),
        (#""\u12""#, "needs four hexadecimal digits"),
        (#""\ud800""#, "has no low surrogate"),
        (#""\udc00""#, "lone surrogate"),
        ("\"abc", "not terminated"),
        ("{} {}", "after the document"),
        ("[1]\u{0}", "after the document"),
    ])
    func malformedTextIsRefusedWithTheReason(_ text: String, _ expected: String) throws {
        let reason = try #require(self.reason(text), "\(text) parsed")
        #expect(reason.hasPrefix("malformed JSON: "))
        #expect(reason.contains(expected), "\(reason)")
    }

    @Test func aReasonNamesLineAndColumn() {
        #expect(reason("{\n  \"a\": ?\n}")?.hasSuffix("at line 2, column 8") == true)
    }

    @Test func invalidUTF8IsRefused() {
        let bytes: [UInt8] = [UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")]
        #expect(throws: JSONValueError.self) { try JSONValue(parsing: bytes) }
    }

    @Test func nestingIsBounded() throws {
        let fine = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try parse(fine).arrayValue != nil)
        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(reason(deep)?.contains("deeper than 512") == true)
        let million = String(repeating: "{\"a\":", count: 1_000_000)
        #expect(reason(million)?.contains("deeper than 512") == true)
    }

    @Test func repeatedKeysAreTypedErrorsUnlessTrusted() throws {
        #expect(throws: JSONValueError.duplicateKey(.init(key: "b", path: ["a"]))) {
            try JSONValue(parsing: #"{"a":{"b":1,"b":2}}"#)
        }
        #expect(try JSONValue(parsing: #"{"a":1,"a":2}"#, trusted: true)["a"] == .integer(2))
    }

    /// Documents `JSONEncoder` wrote (everything stored before this parser) read back the same
    /// as Foundation's decoder reads them.
    @Test func documentsFoundationWroteReadTheSame() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let source: [String: JSONValue] = [
            "int": .integer(Int.max), "neg": .integer(Int.min), "half": .double(0.5), "big": .double(1.5e300),
            "tiny": .double(5e-324), "text": .string("tab\t quote\" slash/ \u{1} é 🚀 \u{2028}"),
            "nested": .array([.null, .bool(true), .object(["k": .double(-0.0)])]),
        ]
        let data = try encoder.encode(JSONValue.object(source))
        let parsed = try JSONValue(parsing: data)
        #expect(parsed == .object(source))
        #expect(parsed.serialized() == data)
    }
}
