import GantryCore

/// The Draft 2020-12 vocabularies and which keywords each one defines. A schema's meta-schema
/// (its `$schema`) lists the vocabularies in force through `$vocabulary`; keywords of vocabularies
/// it leaves out are ignored like unknown keywords.
struct JSONSchemaVocabularies: OptionSet, Sendable, Hashable {
    let rawValue: UInt8

    static let core = JSONSchemaVocabularies(rawValue: 1 << 0)
    static let applicator = JSONSchemaVocabularies(rawValue: 1 << 1)
    static let unevaluated = JSONSchemaVocabularies(rawValue: 1 << 2)
    static let validation = JSONSchemaVocabularies(rawValue: 1 << 3)
    static let metaData = JSONSchemaVocabularies(rawValue: 1 << 4)
    static let format = JSONSchemaVocabularies(rawValue: 1 << 5)
    static let content = JSONSchemaVocabularies(rawValue: 1 << 6)

    static let all: JSONSchemaVocabularies = [
        .core, .applicator, .unevaluated, .validation, .metaData, .format, .content,
    ]

    private static let byURI: [String: JSONSchemaVocabularies] = [
        "https://json-schema.org/draft/2020-12/vocab/core": .core,
        "https://json-schema.org/draft/2020-12/vocab/applicator": .applicator,
        "https://json-schema.org/draft/2020-12/vocab/unevaluated": .unevaluated,
        "https://json-schema.org/draft/2020-12/vocab/validation": .validation,
        "https://json-schema.org/draft/2020-12/vocab/meta-data": .metaData,
        "https://json-schema.org/draft/2020-12/vocab/format-annotation": .format,
        // Format assertion is not implemented: `format` stays an annotation either way.
        "https://json-schema.org/draft/2020-12/vocab/format-assertion": .format,
        "https://json-schema.org/draft/2020-12/vocab/content": .content,
    ]

    /// The vocabularies a meta-schema's `$vocabulary` object declares. Unknown vocabularies
    /// marked optional (`false`) are skipped; unknown required ones make the schema unusable.
    init(declaration: [String: JSONValue]) throws(JSONSchemaError) {
        var set: JSONSchemaVocabularies = [.core]
        for (uri, required) in declaration {
            if let known = Self.byURI[uri] {
                set.insert(known)
            } else if required == .bool(true) {
                throw .unsupportedVocabulary(uri)
            }
        }
        self = set
    }

    init(rawValue: UInt8) {
        self.rawValue = rawValue
    }
}
