import GantryCore
import Testing

@Suite struct JSONReplacingNumbersTests {
    @Test func numbersAreReplacedWhereverTheyAreAndNothingElseChanges() throws {
        let document = try JSONValue(parsing: #"{"a":1e400,"b":[1,{"c":1e400,"d":"1e400"}],"e":null,"f":2}"#)
        let replaced = document.replacingNumbers { $0.doubleValue.isFinite ? nil : .null }
        #expect(replaced == (try JSONValue(parsing: #"{"a":null,"b":[1,{"c":null,"d":"1e400"}],"e":null,"f":2}"#)))
    }

    @Test func nilWhenNoNumberIsReplaced() throws {
        let document = try JSONValue(parsing: #"{"a":[1,2.5,{"b":-0}],"c":"x"}"#)
        #expect(document.replacingNumbers { _ in nil } == nil)
        #expect(JSONValue.string("1").replacingNumbers { _ in .null } == nil)
    }
}
