import Foundation
import GantryCore
import GantryJSONSchema
import Testing

@Suite struct JSONSchemaTests {
    static let seedInputSchema = """
        {"type":"object","properties":{"features":{"type":"array","items":{"type":"number"}},\
        "model_params":{"type":"object"}},"required":["features"]}
        """
    static let seedOutputSchema = """
        {"type":"object","properties":{"prediction":{"type":"string"},"confidence":{"type":"number"},\
        "metadata":{"type":"object"}},"required":["prediction"]}
        """
    static let seedInput = #"{"features":[1.0,2.0,3.0,4.0],"model_params":{"threshold":0.5}}"#

    func json(_ text: String) throws -> JSONValue {
        try JSONValue(parsing: text)
    }

    func schema(_ text: String, registry: [String: JSONValue] = [:]) throws -> JSONSchema {
        try JSONSchema(json(text), registry: registry)
    }

    // MARK: Seed example

    @Test func seedExampleInputIsValid() throws {
        let input = try schema(Self.seedInputSchema)
        #expect(input.validate(try json(Self.seedInput)).isEmpty)
        #expect(input.isValid(try json(Self.seedInput)))
        let output = try schema(Self.seedOutputSchema)
        #expect(output.isValid(try json(#"{"prediction":"cat","confidence":0.93,"metadata":{}}"#)))
    }

    @Test func wrongItemTypeIsReportedAtTheItem() throws {
        let violations = try schema(Self.seedInputSchema).validate(try json(#"{"features":[1.0,2.0,"x"]}"#))
        #expect(
            violations == [
                JSONSchemaViolation(
                    instanceLocation: "/features/2", keywordLocation: "/properties/features/items/type",
                    keyword: "type", message: "expected number, got string")
            ])
        #expect(
            violations.first?.description
                == #"/features/2: expected number, got string (keyword "type" at /properties/features/items/type)"#)
    }

    @Test func missingRequiredPropertyIsNamedAtTheObject() throws {
        let violations = try schema(Self.seedInputSchema).validate(try json(#"{"model_params":{}}"#))
        #expect(violations.count == 1)
        #expect(violations.first?.instanceLocation == "")
        #expect(violations.first?.keyword == "required")
        #expect(violations.first?.keywordLocation == "/required")
        #expect(violations.first?.message.contains("\"features\"") == true)
    }

    @Test func everyViolationIsReported() throws {
        let violations = try schema(Self.seedInputSchema).validate(
            try json(#"{"features":"nope","model_params":[1]}"#))
        #expect(violations.map(\.instanceLocation) == ["/features", "/model_params"])
        #expect(violations.map(\.message) == ["expected array, got string", "expected object, got array"])
        #expect(try schema(Self.seedInputSchema).validate(try json("42")).map(\.keyword) == ["type"])
    }

    @Test func additionalPropertyIsNamed() throws {
        let strict = try schema(#"{"properties":{"a":{}},"additionalProperties":false}"#)
        let violations = strict.validate(try json(#"{"a":1,"extra":2}"#))
        #expect(violations.count == 1)
        #expect(violations.first?.keyword == "additionalProperties")
        #expect(violations.first?.keywordLocation == "/additionalProperties")
        #expect(violations.first?.message.contains("\"extra\"") == true)
    }

    @Test func unevaluatedPropertyIsNamed() throws {
        let strict = try schema(
            #"{"allOf":[{"properties":{"a":true}}],"unevaluatedProperties":false}"#)
        #expect(strict.isValid(try json(#"{"a":1}"#)))
        let violations = strict.validate(try json(#"{"a":1,"b":2}"#))
        #expect(violations.map(\.keyword) == ["unevaluatedProperties"])
        #expect(violations.first?.message.contains("\"b\"") == true)
    }

    @Test func anyOfKeepsTheClosestBranchCause() throws {
        let either = try schema(
            #"{"anyOf":[{"type":"string"},{"type":"object","required":["name"]}]}"#)
        let violations = either.validate(try json("{}"))
        #expect(violations.map(\.keyword) == ["anyOf", "required"])
        #expect(violations.last?.keywordLocation == "/anyOf/1/required")
        #expect(either.isValid(try json(#""text""#)))
        #expect(either.validate(try json(#""text""#)).isEmpty)
    }

    @Test func refViolationsCarryTheEvaluationPath() throws {
        let referring = try schema(##"{"$defs":{"n":{"type":"number"}},"properties":{"x":{"$ref":"#/$defs/n"}}}"##)
        let violations = referring.validate(try json(#"{"x":true}"#))
        #expect(violations.map(\.keywordLocation) == ["/properties/x/$ref/type"])
        #expect(violations.map(\.instanceLocation) == ["/x"])
    }

    // MARK: Meta-schema check

    @Test func checkAcceptsTheSeedSchemas() throws {
        #expect(JSONSchema.check(try json(Self.seedInputSchema)).isEmpty)
        #expect(JSONSchema.check(try json(Self.seedOutputSchema)).isEmpty)
        #expect(JSONSchema.check(.bool(true)).isEmpty)
    }

    @Test func checkRejectsMalformedSchemas() throws {
        let badType = JSONSchema.check(try json(#"{"type": 12}"#))
        #expect(!badType.isEmpty)
        #expect(badType.contains { $0.instanceLocation == "/type" })
        let badProperties = JSONSchema.check(try json(#"{"properties": []}"#))
        #expect(!badProperties.isEmpty)
        #expect(badProperties.contains { $0.instanceLocation == "/properties" })
        #expect(!JSONSchema.check(try json(#"{"minLength": -1}"#)).isEmpty)
        #expect(!JSONSchema.check(.string("not a schema")).isEmpty)
    }

    @Test func checkReportsSchemasThatDoNotCompile() throws {
        let unresolvable = JSONSchema.check(try json(##"{"$ref": "#/$defs/missing"}"##))
        #expect(unresolvable.map(\.keyword) == ["$ref"])
        let badPattern = JSONSchema.check(try json(#"{"pattern": "(unclosed"}"#))
        #expect(badPattern.map(\.keyword) == ["pattern"])
    }

    // MARK: Compile errors

    @Test func unresolvableReferenceIsACompileError() throws {
        #expect(throws: JSONSchemaError.unresolvableReference(reference: "#/$defs/missing", location: "/$ref")) {
            try JSONSchema(try JSONValue(parsing: ##"{"$ref": "#/$defs/missing"}"##))
        }
        #expect(throws: JSONSchemaError.self) {
            try JSONSchema(try JSONValue(parsing: #"{"$ref": "http://example.com/elsewhere.json"}"#))
        }
    }

    @Test func malformedKeywordsAreCompileErrors() throws {
        #expect(throws: JSONSchemaError.self) { try JSONSchema(try JSONValue(parsing: #"{"type": 12}"#)) }
        #expect(throws: JSONSchemaError.self) { try JSONSchema(try JSONValue(parsing: #"{"properties": []}"#)) }
        #expect(throws: JSONSchemaError.self) { try JSONSchema(try JSONValue(parsing: #"{"pattern": "("}"#)) }
        #expect(throws: JSONSchemaError.self) { try JSONSchema(.integer(3)) }
    }

    // MARK: References and registry

    @Test func registryDocumentsResolveByURI() throws {
        let registry = ["http://example.com/shared.json": try json(#"{"$defs":{"id":{"type":"integer"}}}"#)]
        let referring = try schema(#"{"$ref":"http://example.com/shared.json#/$defs/id"}"#, registry: registry)
        #expect(referring.isValid(.integer(3)))
        #expect(!referring.isValid(.string("3")))
    }

    @Test func metaSchemaCanBeReferenced() throws {
        let meta = try schema(#"{"$ref":"https://json-schema.org/draft/2020-12/schema"}"#)
        #expect(meta.isValid(try json(#"{"minLength": 1}"#)))
        #expect(!meta.isValid(try json(#"{"minLength": -1}"#)))
    }

    @Test func selfReferenceWithoutProgressIsAViolationNotACrash() throws {
        let looping = try schema(##"{"$ref":"#"}"##)
        #expect(!looping.isValid(.null))
        #expect(looping.validate(.null).first?.keyword == "$ref")
        let recursive = try schema(##"{"type":"object","properties":{"child":{"$ref":"#"}}}"##)
        #expect(recursive.isValid(try json(#"{"child":{"child":{}}}"#)))
        #expect(!recursive.isValid(try json(#"{"child":{"child":1}}"#)))
    }

    // MARK: Numbers and patterns

    @Test func multipleOfHandlesFloatingPoint() throws {
        #expect(try schema(#"{"multipleOf": 0.0001}"#).isValid(.double(0.0075)))
        #expect(!(try schema(#"{"multipleOf": 0.0001}"#).isValid(.double(0.00751))))
        #expect(!(try schema(#"{"multipleOf": 0.123456789}"#).isValid(.double(1e308))))
        #expect(try schema(#"{"multipleOf": 0.5}"#).isValid(.integer(7)))
        #expect(!(try schema(#"{"multipleOf": 0.5}"#).isValid(.double(7.3))))
        #expect(try schema(#"{"multipleOf": 3}"#).isValid(.integer(Int.min + 2)))
    }

    @Test func patternsFollowECMAScript() throws {
        let digits = try schema(#"{"pattern": "^\\d+$"}"#)
        #expect(digits.isValid(.string("123")))
        #expect(!digits.isValid(.string("১২")))  // Bengali digits are not \d in ECMA-262.
        #expect(!digits.isValid(.string("123\n")))  // `$` is the end of input.
        #expect(try schema(#"{"pattern": "^\\p{Letter}+$"}"#).isValid(.string("héllo")))
        #expect(try schema(#"{"pattern": "a+"}"#).isValid(.string("xxaxx")))
    }

    @Test func lengthCountsCodePoints() throws {
        #expect(try schema(#"{"maxLength": 2}"#).isValid(.string("💩💩")))
        #expect(!(try schema(#"{"minLength": 3}"#).isValid(.string("💩💩"))))
    }

    // MARK: JSONValue

    @Test func jsonEqualityComparesNumbersByValue() throws {
        #expect(JSONValue.integer(1).isJSONEqual(.double(1.0)))
        #expect(!JSONValue.integer(1).isJSONEqual(.double(1.5)))
        #expect(!JSONValue.integer(1).isJSONEqual(.bool(true)))
        #expect(!JSONValue.integer(0).isJSONEqual(.bool(false)))
        #expect(try json(#"{"a":[1,{"b":2.0}],"c":null}"#).isJSONEqual(try json(#"{"c":null,"a":[1.0,{"b":2}]}"#)))
        #expect(!(try json("[1,2]").isJSONEqual(try json("[2,1]"))))
        #expect(!(try json(#"{"a":1}"#).isJSONEqual(try json(#"{"a":1,"b":2}"#))))
        // Code points, not canonical equivalence: precomposed and decomposed é differ.
        #expect(!JSONValue.string("\u{E9}").isJSONEqual(.string("e\u{301}")))
    }

    @Test func uniqueItemsAndEnumUseJSONEquality() throws {
        #expect(!(try schema(#"{"uniqueItems": true}"#).isValid(try json("[1, 1.0]"))))
        #expect(try schema(#"{"uniqueItems": true}"#).isValid(try json("[1, true, \"1\"]")))
        #expect(try schema(#"{"enum": [[1], {"a": 2}]}"#).isValid(try json(#"{"a": 2.0}"#)))
        #expect(try schema(#"{"const": 2}"#).isValid(.double(2.0)))
    }

    @Test func parsingEdgeCases() throws {
        #expect(try json("1e308").doubleValue == 1e308)
        #expect(try json("1e308").serializedString() == "1e308")
        #expect(try json("-0.5") == .double(-0.5))
        #expect(try json("9007199254740993") == .integer(9_007_199_254_740_993))
        #expect(try json(#""\u00e9""#) == .string("é"))
        #expect(throws: JSONValueError.self) { try JSONValue(parsing: "{") }
        #expect(try schema(#"{"type":"integer"}"#).isValid(.double(2.0)))
        #expect(!(try schema(#"{"type":"integer"}"#).isValid(.double(2.5))))
    }

    @Test func formatIsOnlyAnAnnotation() throws {
        #expect(try schema(#"{"format": "email"}"#).isValid(.string("not an email")))
    }

    @Test func compiledSchemasAreSharedAcrossTasks() async throws {
        let input = try schema(Self.seedInputSchema)
        let valid = try json(Self.seedInput)
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { input.isValid(valid) && input.validate(valid).isEmpty } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 8))
    }
}
