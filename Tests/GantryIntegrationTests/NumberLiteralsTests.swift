import GantryCore
import Testing

@testable import GantryOpenAPI

@Suite struct NumberLiteralsTests {
    func number(_ literal: String) throws -> JSONNumber { try #require(JSONNumber(literal: literal)) }

    @Test func placeholdersAreReplacedByTheirLiterals() throws {
        let literals = NumberLiterals()
        let first = literals.placeholder(for: try number("1e400"))
        let second = literals.placeholder(for: try number("-0.0"))
        let body = #"{"a":""# + first + #"","b":[""# + second + #"",""# + first + #""]}"#
        let spliced = String(decoding: literals.splice(into: Array(body.utf8)), as: UTF8.self)
        #expect(spliced == #"{"a":1e400,"b":[-0.0,1e400]}"#)
    }

    @Test func stringsThatOnlyLookLikePlaceholdersStay() throws {
        let literals = NumberLiterals()
        _ = literals.placeholder(for: try number("1.0"))
        let prefix = NumberLiterals.placeholderPrefix
        for body in [
            #"["gantry-number:0-0:0"]"#, #"[""# + prefix + #"9"]"#, #"[""# + prefix + #"0x"]"#,
            #"[""# + prefix + #""]"#, #"[""# + prefix,
        ] {
            #expect(String(decoding: literals.splice(into: Array(body.utf8)), as: UTF8.self) == body)
        }
    }

    @Test func numbersTheEncoderSpellsGoThroughAsIntOrDouble() throws {
        let literals = NumberLiterals()
        NumberLiterals.$current.withValue(literals) {
            #expect(JSONValue.integer(42).anyValue as? Int == 42)
            #expect(JSONValue.double(0.5).anyValue as? Double == 0.5)
            #expect((try? JSONValue(parsing: "1.0"))?.anyValue as? String == NumberLiterals.placeholderPrefix + "0")
        }
        #expect(literals.isEmpty == false)
        // Outside a request there is nothing to splice into: the nearest double stands in.
        #expect((try? JSONValue(parsing: "1.0"))?.anyValue as? Double == 1.0)
        #expect((try? JSONValue(parsing: "1e400"))?.anyValue == nil)
    }
}
