import GantryCore

/// Why a schema cannot be used at all. Instances that merely fail validation are reported as
/// `JSONSchemaViolation`s instead.
public enum JSONSchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A schema (or a keyword's value) has the wrong shape, e.g. `"minLength": "x"`. `location` is
    /// a JSON Pointer into the schema document.
    case invalidSchema(location: String, reason: String)
    /// A `$ref`/`$dynamicRef` (or a `$schema`) names nothing known: not the schema itself, the
    /// registry, nor the built-in meta-schemas.
    case unresolvableReference(reference: String, location: String)
    /// `pattern` or a `patternProperties` key does not compile as a regular expression.
    case invalidPattern(pattern: String, location: String, reason: String)
    /// The meta-schema requires a vocabulary this validator does not implement.
    case unsupportedVocabulary(String)

    public var description: String {
        switch self {
        case .invalidSchema(let location, let reason):
            "invalid schema at \(Self.display(location)): \(reason)"
        case .unresolvableReference(let reference, let location):
            "cannot resolve reference \"\(reference)\" at \(Self.display(location))"
        case .invalidPattern(let pattern, let location, let reason):
            "invalid regular expression \"\(pattern)\" at \(Self.display(location)): \(reason)"
        case .unsupportedVocabulary(let uri):
            "the meta-schema requires the unsupported vocabulary \(uri)"
        }
    }

    /// The schema location the error refers to ("" is the schema root).
    public var location: String {
        switch self {
        case .invalidSchema(let location, _), .unresolvableReference(_, let location),
            .invalidPattern(_, let location, _):
            location
        case .unsupportedVocabulary: ""
        }
    }

    private static func display(_ location: String) -> String {
        location.isEmpty ? "the schema root" : location
    }
}
