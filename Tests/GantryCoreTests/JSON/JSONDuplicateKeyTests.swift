import GantryCore
import Testing

@Suite struct JSONDuplicateKeyTests {
    /// The duplicate the parser refuses the text for, or nil when it parses or is malformed.
    func first(_ text: String) -> JSONDuplicateKey? {
        do {
            _ = try JSONValue(parsing: text)
            return nil
        } catch {
            if case .duplicateKey(let duplicate) = error { return duplicate }
            return nil
        }
    }

    @Test(arguments: [
        #"{}"#, #"[]"#, #"{"a":1,"b":2}"#, #"{"a":{"a":{"a":1}}}"#, #"[{"a":1},{"a":2}]"#,
        #"{"a":"a","b":"a"}"#, #"{"a":"}\"{","b":"\\","c":["a","a"]}"#, #"{"é":1,"e":2}"#, #""just a string""#,
        #"{"a":1} trailing"#, #"{"x":[1,{"y":1,"z":[{"y":2}]}],"y":3}"#,
    ])
    func documentsWithoutRepeatedKeysPass(_ text: String) { #expect(first(text) == nil) }

    @Test func aRepeatedTopLevelKeyIsFound() {
        #expect(first(#"{"role":"user","role":"admin"}"#) == .init(key: "role", path: []))
    }

    @Test func aRepeatedNestedKeyIsFoundWithItsPath() {
        let found = first(#"{"plugin_name":"p","input_data":{"model":{"threshold":0.5,"threshold":0.9}}}"#)
        #expect(found == .init(key: "threshold", path: ["input_data", "model"]))
        #expect(found?.description == "the key 'threshold' appears twice in input_data.model")
    }

    @Test func escapesSpellTheSameKey() {
        #expect(first(#"{"a":1,"\u0061":2}"#)?.key == "a")
        #expect(first(#"{"\/":1,"/":2}"#)?.key == "/")
        #expect(first(#"{"\ud83d\ude80":1,"🚀":2}"#)?.key == "🚀")
        #expect(first(#"{"a\nb":1,"a\u000ab":2}"#)?.key == "a\nb")
        // Canonically equivalent spellings are one key to Swift's dictionaries, so to decoders.
        #expect(first(#"{"é":1,"e\u0301":2}"#) != nil)
    }

    @Test func aKeyRepeatedAfterANestedValueIsFound() {
        #expect(first(#"{"a":{"b":[1,2,{"c":3}]},"d":[],"a":null}"#)?.key == "a")
    }

    @Test func textThatIsNotJSONIsMalformedNotAmbiguous() {
        #expect(first(#"{"a":1,"a"#) == nil)
        #expect(first(#"{"unterminated"#) == nil)
        #expect(first(#"{"bad\q":1,"bad\q":2}"#) == nil)
    }

    @Test func veryDeepDocumentsAreMalformedNotAmbiguous() {
        let deep = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        #expect(first(deep) == nil)
    }

    @Test func theParserRefusesRepeatedKeysUnlessTheTextIsGantrysOwn() throws {
        #expect(throws: JSONValueError.self) { try JSONValue(parsing: #"{"a":1,"a":2}"#) }
        #expect(try JSONValue(parsing: #"{"a":1,"a":2}"#, trusted: true)["a"] != nil)
        #expect(try JSONValue(parsing: #"{"a":1,"b":{"a":2}}"#)["b"]?["a"] == .integer(2))
    }
}
