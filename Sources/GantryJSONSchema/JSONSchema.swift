import GantryCore

// A JSON Schema Draft 2020-12 validator written for Gantry. None of the packages the project
// may depend on validates JSON Schema, so it lives here, in the pure core: Foundation only, no
// I/O. Schemas are compiled once (references resolved, patterns compiled) into an immutable
// program that any number of tasks can share; validation then walks that program.
//
// Pieces: JSONSchemaResources (documents, `$id`s, anchors), JSONSchemaCompiler (keywords to
// program), JSONSchemaEvaluator (instance checking, annotations for `unevaluated*`, dynamic
// scope), JSONSchemaURI and JSONPointer (identifiers), JSONSchemaMetaSchemas (the built-in
// Draft 2020-12 meta-schemas).

/// A compiled JSON Schema (Draft 2020-12).
public struct JSONSchema: Sendable {
    private let program: JSONSchemaProgram

    /// Compiles `schema`. Throws `JSONSchemaError` when the schema cannot be used at all (an
    /// unresolvable `$ref`, a bad regular expression, a keyword value of the wrong shape).
    ///
    /// - Parameter registry: further schema documents by URI, for references to them
    ///   (e.g. `"http://localhost:1234/integer.json"`). The Draft 2020-12 meta-schemas are built in.
    public init(_ schema: JSONValue, registry: [String: JSONValue] = [:]) throws(JSONSchemaError) {
        self.program = try JSONSchemaCompiler.compile(schema, registry: registry)
    }

    /// Validates an instance and returns every violation found; empty means valid.
    public func validate(_ instance: JSONValue) -> [JSONSchemaViolation] {
        var evaluator = JSONSchemaEvaluator(program: program, recording: true)
        _ = evaluator.evaluateRoot(instance)
        return evaluator.violations
    }

    /// Validates within `limits`: returns every violation found (empty means valid), or throws
    /// when the check would cost more work or time than the limits allow. Use this for values
    /// and schemas that come from users.
    public func validate(
        _ instance: JSONValue, limits: JSONSchemaLimits
    ) throws(JSONSchemaLimitExceeded) -> [JSONSchemaViolation] {
        var evaluator = JSONSchemaEvaluator(program: program, recording: true, limits: limits)
        _ = evaluator.evaluateRoot(instance)
        if let exceeded = evaluator.exceeded { throw exceeded }
        return evaluator.violations
    }

    /// How many subschema evaluations one value may need in the worst case, counting every path
    /// through the schema's applicators and references once (recursion counted once); saturates
    /// at `cap`. `check` refuses schemas above `JSONSchemaLimits.maxStaticEvaluations`.
    public func worstCaseEvaluations(cap: Int = .max) -> Int {
        program.worstCaseEvaluations(cap: cap)
    }

    /// Whether the instance is valid; stops at the first failure.
    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = JSONSchemaEvaluator(program: program, recording: false)
        return evaluator.evaluateRoot(instance)
    }

    /// Checks that `schema` is a usable Draft 2020-12 schema: valid against the meta-schema and
    /// compilable. Returns the problems found (empty = ok); locations refer to the schema.
    public static func check(_ schema: JSONValue) -> [JSONSchemaViolation] {
        guard let metaSchema else {
            return [
                JSONSchemaViolation(
                    instanceLocation: "", keywordLocation: "", keyword: "$schema",
                    message: "the built-in meta-schema is unavailable")
            ]
        }
        let violations = metaSchema.validate(schema)
        guard violations.isEmpty else { return violations }
        do {
            let compiled = try JSONSchema(schema)
            let limit = JSONSchemaLimits.maxStaticEvaluations
            guard compiled.worstCaseEvaluations(cap: limit + 1) <= limit else {
                return [
                    JSONSchemaViolation(
                        instanceLocation: "", keywordLocation: "", keyword: "$ref",
                        message:
                            "the schema is too expensive to evaluate: one value can need more than \(limit) "
                            + "subschema evaluations (references or allOf/anyOf/oneOf that fan out at every step)")
                ]
            }
            return []
        } catch {
            return [
                JSONSchemaViolation(
                    instanceLocation: error.location, keywordLocation: "", keyword: error.keyword,
                    message: error.description)
            ]
        }
    }

    /// The Draft 2020-12 meta-schema, compiled once.
    private static let metaSchema: JSONSchema? = JSONSchemaMetaSchemas.documents[
        JSONSchemaMetaSchemas.draft202012URI
    ].flatMap { try? JSONSchema($0) }
}

extension JSONSchemaError {
    /// The schema keyword an error is about, for reporting it as a violation.
    fileprivate var keyword: String {
        switch self {
        case .unresolvableReference(_, let location):
            location.hasSuffix("/$dynamicRef") ? "$dynamicRef" : "$ref"
        case .invalidPattern(_, let location, _):
            location.contains("/patternProperties/") ? "patternProperties" : "pattern"
        case .invalidSchema(let location, _):
            JSONPointer(parsing: location)?.tokens.last ?? "$schema"
        case .unsupportedVocabulary:
            "$vocabulary"
        }
    }
}
