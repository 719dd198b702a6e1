import GantryCore
import Testing

@Suite struct JSONNumberTests {
    @Test(arguments: [
        "0", "-0", "1", "-1", "10", "1.0", "0.5", "-0.0", "1e2", "1E2", "1e+2", "1e-2", "1.25e-7",
        "99999999999999999999999", "123456789012345678901234567890.123456789",
    ])
    func theGrammarAcceptsJSONNumbers(_ literal: String) {
        #expect(JSONNumber(literal: literal)?.literal == literal)
    }

    @Test(arguments: [
        "", "-", "+1", "01", "-01", "1.", ".5", "1e", "1e+", "0x10", "1_000", "NaN", "Infinity", "-Infinity",
        " 1", "1 ", "1.5.2", "--1", "1e2e3",
    ])
    func theGrammarRefusesOtherText(_ literal: String) {
        #expect(JSONNumber(literal: literal) == nil)
    }

    @Test func wholeNumbersAreIntegralInAnySpelling() throws {
        for literal in ["1", "1.0", "1e2", "1.50e1", "-0", "0.0e5", "99999999999999999999999", "1e400"] {
            #expect(try #require(JSONNumber(literal: literal)).isIntegral, "\(literal)")
        }
        for literal in ["1.5", "1e-2", "0.1", "12.345e2", "1e-400"] {
            #expect(!(try #require(JSONNumber(literal: literal)).isIntegral), "\(literal)")
        }
    }

    @Test func intValueIsExactOrNil() throws {
        let cases: [(String, Int?)] = [
            ("42", 42), ("-0", 0), ("1.0", 1), ("1e2", 100), ("-12.5e1", -125), ("9223372036854775807", .max),
            ("-9223372036854775808", .min), ("9223372036854775808", nil), ("99999999999999999999999", nil),
            ("1.5", nil), ("1e19", nil), ("1e400", nil), ("0e99999999999999999999", 0),
        ]
        for (literal, expected) in cases {
            #expect(try #require(JSONNumber(literal: literal)).intValue == expected, "\(literal)")
        }
    }

    @Test func doublesAreSpelledAsJSONEncoderSpellsThem() {
        #expect(JSONNumber(1.0)?.literal == "1")
        #expect(JSONNumber(0.1)?.literal == "0.1")
        #expect(JSONNumber(-0.0)?.literal == "-0")
        #expect(JSONNumber(1e300)?.literal == "1e+300")
        #expect(JSONNumber(.nan) == nil)
        #expect(JSONNumber(.infinity) == nil)
    }

    @Test func onlyEncoderSpellingsRoundTripThroughIntOrDouble() throws {
        for literal in ["1", "-7", "0.1", "1e+300", "-0", "2.5"] {
            #expect(try #require(JSONNumber(literal: literal)).isEncoderSpelling, "\(literal)")
        }
        for literal in ["1.0", "1e2", "99999999999999999999999", "0.10", "1E+300", "1e400"] {
            #expect(!(try #require(JSONNumber(literal: literal)).isEncoderSpelling), "\(literal)")
        }
    }

    @Test func equalityIsBySpellingAndSchemaEqualityByValueIsElsewhere() throws {
        #expect(JSONNumber(literal: "1") != JSONNumber(literal: "1.0"))
        #expect(JSONValue.integer(1) == .number(try #require(JSONNumber(literal: "1"))))
    }
}
