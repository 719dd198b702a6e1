import Foundation
import GantryCore
import GantryJSONSchema
import Testing

/// Validation is bounded: schemas that fan out exponentially are refused up front, and a check
/// that runs past its work or time budget stops with `JSONSchemaLimitExceeded`.
@Suite struct JSONSchemaLimitsTests {
    /// `depth` chained `$defs`, each an `allOf` of two references to the next: 2^depth evaluations.
    static func doublingChain(depth: Int) throws -> JSONValue {
        var definitions: [String] = []
        for step in 0..<depth {
            definitions.append(
                ##""d\##(step)":{"allOf":[{"$ref":"#/$defs/d\##(step + 1)"},{"$ref":"#/$defs/d\##(step + 1)"}]}"##)
        }
        definitions.append(##""d\##(depth)":{"type":"integer"}"##)
        return try JSONValue(parsing: ##"{"$ref":"#/$defs/d0","$defs":{\##(definitions.joined(separator: ","))}}"##)
    }

    @Test func aSchemaThatDoublesAtEveryStepIsRefusedAtRegistration() throws {
        let violations = JSONSchema.check(try Self.doublingChain(depth: 24))
        #expect(violations.count == 1)
        #expect(violations.first?.message.contains("too expensive to evaluate") == true, "\(violations)")
        #expect(violations.first?.message.contains("100000") == true)

        let schema = try JSONSchema(try Self.doublingChain(depth: 24))
        #expect(schema.worstCaseEvaluations(cap: 1_000_000) == 1_000_000, "saturates at the cap")
        // A few doublings are harmless and accepted.
        #expect(JSONSchema.check(try Self.doublingChain(depth: 8)).isEmpty)
        #expect(try JSONSchema(try Self.doublingChain(depth: 8)).worstCaseEvaluations() == 1_022)
    }

    @Test func ordinarySchemasCostAboutTheirSize() throws {
        let seed = try JSONSchema(try JSONValue(parsing: JSONSchemaTests.seedInputSchema))
        #expect(seed.worstCaseEvaluations() < 10)
        // Recursion (a tree of nodes) counts once: the value's depth bounds it, not the schema.
        let tree = try JSONValue(
            parsing:
                ##"{"$defs":{"node":{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#/$defs/node"}}}}},"$ref":"#/$defs/node"}"##
        )
        #expect(JSONSchema.check(tree).isEmpty)
        #expect(try JSONSchema(tree).worstCaseEvaluations() < 10)
    }

    @Test func aCheckPastItsEvaluationBudgetStops() throws {
        // Registered before the static check existed, say: the runtime budget still holds.
        let schema = try JSONSchema(try Self.doublingChain(depth: 30))
        let started = ContinuousClock.now
        #expect(throws: JSONSchemaLimitExceeded(limit: .evaluations(10_000))) {
            try schema.validate(.integer(1), limits: JSONSchemaLimits(maxEvaluations: 10_000))
        }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(throws: JSONSchemaLimitExceeded.self) {
            try schema.validate(.integer(1), limits: .standard)
        }
        let message = JSONSchemaLimitExceeded(limit: .evaluations(10_000)).description
        #expect(message.contains("more than 10000 subschema evaluations"))
    }

    @Test func aBacktrackingPatternIsStoppedAtTheTimeLimit() throws {
        let schema = try JSONSchema(try JSONValue(parsing: #"{"type":"string","pattern":"^(a+)+$"}"#))
        let evil = JSONValue.string(String(repeating: "a", count: 40) + "b")
        let started = ContinuousClock.now
        #expect(throws: JSONSchemaLimitExceeded(limit: .time(.milliseconds(50)))) {
            try schema.validate(evil, limits: JSONSchemaLimits(timeLimit: .milliseconds(50)))
        }
        #expect(ContinuousClock.now - started < .seconds(2), "stopped near its 50 ms limit, not after minutes")
        // Patterns in property names are bounded the same way.
        let names = try JSONSchema(
            try JSONValue(parsing: #"{"patternProperties":{"^(a+)+$":true},"additionalProperties":false}"#))
        #expect(throws: JSONSchemaLimitExceeded.self) {
            try names.validate(
                .object([String(repeating: "a", count: 40) + "b": .null]),
                limits: JSONSchemaLimits(timeLimit: .milliseconds(50)))
        }
        // An ordinary value still gets its answer.
        #expect(try schema.validate(.string("aaaa"), limits: .standard).isEmpty)
        #expect(try schema.validate(.string("aab"), limits: .standard).count == 1)
    }

    @Test func uniqueItemsComparisonsCountAgainstTheBudget() throws {
        let schema = try JSONSchema(try JSONValue(parsing: #"{"type":"array","uniqueItems":true}"#))
        let items = JSONValue.array((0..<5_000).map { .integer($0) })
        #expect(throws: JSONSchemaLimitExceeded.self) {
            try schema.validate(items, limits: JSONSchemaLimits(maxEvaluations: 100_000))
        }
        #expect(try schema.validate(.array((0..<100).map { .integer($0) }), limits: .standard).isEmpty)
    }

    @Test func boundedValidationAgreesWithUnboundedOnOrdinaryValues() throws {
        let schema = try JSONSchema(try JSONValue(parsing: JSONSchemaTests.seedInputSchema))
        for text in [JSONSchemaTests.seedInput, #"{"features":[1,"x"]}"#, #"{"model_params":{}}"#, "[]"] {
            let value = try JSONValue(parsing: text)
            #expect(try schema.validate(value, limits: .standard) == schema.validate(value), "\(text)")
        }
    }
}
