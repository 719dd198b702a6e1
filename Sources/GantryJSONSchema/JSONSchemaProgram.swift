import Foundation
import GantryCore

/// A compiled schema: every reachable subschema becomes a `JSONSchemaNode`, addressed by its
/// index, so that recursive references are plain integers and the whole program is immutable
/// (and therefore `Sendable`) once compiled.
final class JSONSchemaProgram: Sendable {
    let nodes: [JSONSchemaNode]
    /// Per schema resource, the nodes of its `$dynamicAnchor`s that some `$dynamicRef` may need.
    let dynamicAnchors: [[String: Int]]
    let root: Int

    init(nodes: [JSONSchemaNode], dynamicAnchors: [[String: Int]], root: Int) {
        self.nodes = nodes
        self.dynamicAnchors = dynamicAnchors
        self.root = root
    }
}

struct JSONSchemaNode: Sendable {
    enum Body: Sendable {
        /// A boolean schema.
        case always(Bool)
        case keywords([JSONSchemaKeyword])
    }

    var body: Body
    /// The schema resource (nearest `$id`) this subschema belongs to; entering it extends the
    /// dynamic scope that `$dynamicRef` searches.
    var resource: Int
    /// Whether the node has `unevaluatedProperties`/`unevaluatedItems`, which need annotations
    /// from its in-place applicators.
    var usesUnevaluated: Bool
}

/// A subschema reached through a keyword, with the schema-path segment that leads to it
/// (already escaped, e.g. "/properties/a~1b") for violation keyword locations.
struct JSONSchemaChild: Sendable {
    let node: Int
    let path: String
}

struct JSONSchemaTypes: OptionSet, Sendable {
    let rawValue: UInt8

    static let null = JSONSchemaTypes(rawValue: 1 << 0)
    static let boolean = JSONSchemaTypes(rawValue: 1 << 1)
    static let integer = JSONSchemaTypes(rawValue: 1 << 2)
    static let number = JSONSchemaTypes(rawValue: 1 << 3)
    static let string = JSONSchemaTypes(rawValue: 1 << 4)
    static let array = JSONSchemaTypes(rawValue: 1 << 5)
    static let object = JSONSchemaTypes(rawValue: 1 << 6)

    static let names: [(String, JSONSchemaTypes)] = [
        ("null", .null), ("boolean", .boolean), ("integer", .integer), ("number", .number),
        ("string", .string), ("array", .array), ("object", .object),
    ]

    var description: String {
        let names = Self.names.filter { contains($0.1) }.map(\.0)
        switch names.count {
        case 0: return "nothing"
        case 1: return names[0]
        default: return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        }
    }

    func matches(_ value: JSONValue) -> Bool {
        switch value {
        case .null: contains(.null)
        case .bool: contains(.boolean)
        case .number(let number): contains(.number) || (contains(.integer) && number.isIntegral)
        case .string: contains(.string)
        case .array: contains(.array)
        case .object: contains(.object)
        }
    }
}

struct JSONSchemaContains: Sendable {
    let child: JSONSchemaChild
    let minimum: Int
    let maximum: Int?
    /// Whether `minContains`/`maxContains` were written (for violation keyword locations).
    let hasMinContains: Bool
}

struct JSONSchemaAdditionalProperties: Sendable {
    let child: JSONSchemaChild
    let declared: Set<String>
    let patterns: [JSONSchemaPattern]
}

/// `indirect` keeps each keyword one reference wide, so walking a node's keywords copies a pointer
/// rather than a large multi-payload enum.
indirect enum JSONSchemaKeyword: Sendable {
    // Core.
    case ref(JSONSchemaChild)
    /// `anchor` is set only when the reference resolved to a matching `$dynamicAnchor`
    /// ("bookending"); otherwise the reference is static like `$ref`.
    case dynamicRef(initial: JSONSchemaChild, anchor: String?)
    // Validation.
    case type(JSONSchemaTypes)
    case const(JSONValue)
    case enumeration([JSONValue])
    case multipleOf(JSONSchemaMultipleOf)
    case maximum(JSONSchemaNumber)
    case exclusiveMaximum(JSONSchemaNumber)
    case minimum(JSONSchemaNumber)
    case exclusiveMinimum(JSONSchemaNumber)
    case maxLength(Int)
    case minLength(Int)
    case pattern(JSONSchemaPattern)
    case maxItems(Int)
    case minItems(Int)
    case uniqueItems
    case maxProperties(Int)
    case minProperties(Int)
    case required([String])
    case dependentRequired([(property: String, required: [String])])
    // Applicators.
    case allOf([JSONSchemaChild])
    case anyOf([JSONSchemaChild])
    case oneOf([JSONSchemaChild])
    case not(JSONSchemaChild)
    case conditional(if: JSONSchemaChild, then: JSONSchemaChild?, else: JSONSchemaChild?)
    case dependentSchemas([(property: String, child: JSONSchemaChild)])
    case prefixItems([JSONSchemaChild])
    case items(JSONSchemaChild, from: Int)
    case contains(JSONSchemaContains)
    case properties([(name: String, child: JSONSchemaChild)])
    case patternProperties([(pattern: JSONSchemaPattern, child: JSONSchemaChild)])
    case additionalProperties(JSONSchemaAdditionalProperties)
    case propertyNames(JSONSchemaChild)
    // Unevaluated: always compiled last in a node so they see every sibling's annotations.
    case unevaluatedItems(JSONSchemaChild)
    case unevaluatedProperties(JSONSchemaChild)
}
