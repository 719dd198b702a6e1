import Foundation
import GantryCore

/// Turns a schema document into a `JSONSchemaProgram`: resolves every reference reachable from
/// the root once, up front, checks keyword values and compiles regular expressions, so that
/// validation itself never parses URIs or patterns.
struct JSONSchemaCompiler {
    typealias Location = JSONSchemaResources.Location

    /// The base URI of a main schema without `$id`; `.invalid` is reserved, so it never clashes
    /// with a real identifier.
    static let defaultBaseURI = "https://gantry.invalid/schema.json"

    private var resources: JSONSchemaResources
    private var nodes: [JSONSchemaNode] = []
    private var nodeByLocation: [Location: Int] = [:]
    private var usedResources: Set<Int> = []
    /// `$dynamicAnchor` names some bookended `$dynamicRef` may search for.
    private var dynamicNames: Set<String> = []

    static func compile(
        _ schema: JSONValue, registry: [String: JSONValue]
    ) throws(JSONSchemaError)
        -> JSONSchemaProgram
    {
        var compiler = JSONSchemaCompiler(resources: JSONSchemaResources(registry: registry))
        let document = try compiler.resources.addDocument(schema, uri: defaultBaseURI)
        let root = try compiler.compileNode(at: Location(document: document, pointer: .root))
        let dynamicAnchors = try compiler.compileDynamicAnchors()
        return JSONSchemaProgram(nodes: compiler.nodes, dynamicAnchors: dynamicAnchors, root: root)
    }

    private init(resources: JSONSchemaResources) {
        self.resources = resources
    }

    // MARK: Nodes

    private mutating func compileNode(at location: Location) throws(JSONSchemaError) -> Int {
        if let known = nodeByLocation[location] { return known }
        guard let value = resources.value(at: location) else {
            throw .invalidSchema(location: resources.describe(location), reason: "no schema at this location")
        }
        let place = try resources.place(of: location)
        // Reserve the index first so that references back to this node (recursion) resolve.
        let index = nodes.count
        nodes.append(JSONSchemaNode(body: .always(true), resource: place.resource, usesUnevaluated: false))
        nodeByLocation[location] = index
        usedResources.insert(place.resource)
        switch value {
        case .bool(let accepts):
            nodes[index].body = .always(accepts)
        case .object(let members):
            let keywords = try compileKeywords(members, at: location, place: place)
            nodes[index].body = .keywords(keywords)
            nodes[index].usesUnevaluated = keywords.contains {
                switch $0 {
                case .unevaluatedItems, .unevaluatedProperties: true
                default: false
                }
            }
        default:
            throw .invalidSchema(
                location: resources.describe(location),
                reason: "a schema must be an object or a boolean, not \(value.typeName)")
        }
        return index
    }

    /// Compiles, for every resource in use, the `$dynamicAnchor`s that bookended `$dynamicRef`s
    /// may land on. Compiling them can pull in further resources, hence the loop.
    private mutating func compileDynamicAnchors() throws(JSONSchemaError) -> [[String: Int]] {
        var table: [Int: [String: Int]] = [:]
        var changed = true
        while changed {
            changed = false
            for resource in usedResources.sorted() {
                for name in dynamicNames.sorted() where table[resource]?[name] == nil {
                    guard let location = resources.resources[resource].dynamicAnchors[name] else { continue }
                    table[resource, default: [:]][name] = try compileNode(at: location)
                    changed = true
                }
            }
        }
        return resources.resources.indices.map { table[$0] ?? [:] }
    }

    private mutating func child(
        _ location: Location, _ tokens: String...
    ) throws(JSONSchemaError)
        -> JSONSchemaChild
    {
        let node = try compileNode(
            at: Location(document: location.document, pointer: location.pointer.appending(tokens)))
        return JSONSchemaChild(node: node, path: JSONPointer(tokens: tokens).description)
    }

    // MARK: Keywords

    private mutating func compileKeywords(
        _ members: [String: JSONValue], at location: Location, place: JSONSchemaResources.Place
    ) throws(JSONSchemaError) -> [JSONSchemaKeyword] {
        let vocabularies = resources.resources[place.resource].vocabularies
        var keywords: [JSONSchemaKeyword] = []
        try compileReferences(members, at: location, place: place, into: &keywords)
        if vocabularies.contains(.validation) {
            try compileValidation(members, at: location, into: &keywords)
        }
        if vocabularies.contains(.applicator) {
            try compileInPlaceApplicators(members, at: location, into: &keywords)
            try compileArrayApplicators(members, at: location, vocabularies: vocabularies, into: &keywords)
            try compileObjectApplicators(members, at: location, into: &keywords)
        }
        if vocabularies.contains(.unevaluated) {
            if members["unevaluatedItems"] != nil {
                keywords.append(.unevaluatedItems(try child(location, "unevaluatedItems")))
            }
            if members["unevaluatedProperties"] != nil {
                keywords.append(.unevaluatedProperties(try child(location, "unevaluatedProperties")))
            }
        }
        return keywords
    }

    private mutating func compileReferences(
        _ members: [String: JSONValue], at location: Location, place: JSONSchemaResources.Place,
        into keywords: inout [JSONSchemaKeyword]
    ) throws(JSONSchemaError) {
        if let value = members["$ref"] {
            let reference = try string(value, "$ref", at: location)
            let target = try resolve(reference, against: place.base, from: location, keyword: "$ref")
            keywords.append(.ref(JSONSchemaChild(node: try compileNode(at: target), path: "/$ref")))
        }
        if let value = members["$dynamicRef"] {
            let reference = try string(value, "$dynamicRef", at: location)
            let target = try resolve(reference, against: place.base, from: location, keyword: "$dynamicRef")
            let initial = JSONSchemaChild(node: try compileNode(at: target), path: "/$dynamicRef")
            // Dynamic resolution applies only when the fragment is an anchor name and the static
            // target itself declares that `$dynamicAnchor`; otherwise it is a plain `$ref`.
            var anchor: String?
            let fragment = JSONSchemaURI(parsing: reference).fragment.map { $0.removingPercentEncoding ?? $0 }
            if let fragment, !fragment.isEmpty, !fragment.hasPrefix("/"),
                resources.value(at: target)?["$dynamicAnchor"]?.stringValue == fragment
            {
                anchor = fragment
                dynamicNames.insert(fragment)
            }
            keywords.append(.dynamicRef(initial: initial, anchor: anchor))
        }
    }

    private mutating func resolve(
        _ reference: String, against base: JSONSchemaURI, from location: Location, keyword: String
    ) throws(JSONSchemaError) -> Location {
        let unresolvable = JSONSchemaError.unresolvableReference(
            reference: reference, location: resources.describe(location) + "/" + keyword)
        let target = base.resolving(reference)
        guard let resource = try resources.resource(named: target.withoutFragment.description) else {
            throw unresolvable
        }
        let root = resources.resources[resource].location
        let rawFragment = target.fragment ?? ""
        let fragment = rawFragment.removingPercentEncoding ?? rawFragment
        if fragment.isEmpty { return root }
        if fragment.hasPrefix("/") {
            guard let pointer = JSONPointer(parsing: fragment) else { throw unresolvable }
            let resolved = Location(document: root.document, pointer: root.pointer.appending(pointer.tokens))
            guard resources.value(at: resolved) != nil else { throw unresolvable }
            return resolved
        }
        guard let anchored = resources.resources[resource].anchors[fragment] else { throw unresolvable }
        return anchored
    }

    private mutating func compileValidation(
        _ members: [String: JSONValue], at location: Location, into keywords: inout [JSONSchemaKeyword]
    ) throws(JSONSchemaError) {
        if let value = members["type"] { keywords.append(.type(try types(value, at: location))) }
        if let value = members["const"] { keywords.append(.const(value)) }
        if let value = members["enum"] {
            guard case .array(let options) = value else {
                throw invalid(location, "enum", "must be an array")
            }
            keywords.append(.enumeration(options))
        }
        if let value = members["multipleOf"] {
            let divisor = try number(value, "multipleOf", at: location)
            guard divisor.doubleValue > 0 else { throw invalid(location, "multipleOf", "must be greater than 0") }
            keywords.append(.multipleOf(JSONSchemaMultipleOf(divisor)))
        }
        if let value = members["maximum"] { keywords.append(.maximum(try number(value, "maximum", at: location))) }
        if let value = members["exclusiveMaximum"] {
            keywords.append(.exclusiveMaximum(try number(value, "exclusiveMaximum", at: location)))
        }
        if let value = members["minimum"] { keywords.append(.minimum(try number(value, "minimum", at: location))) }
        if let value = members["exclusiveMinimum"] {
            keywords.append(.exclusiveMinimum(try number(value, "exclusiveMinimum", at: location)))
        }
        if let value = members["maxLength"] { keywords.append(.maxLength(try count(value, "maxLength", at: location))) }
        if let value = members["minLength"] { keywords.append(.minLength(try count(value, "minLength", at: location))) }
        if let value = members["pattern"] {
            let source = try string(value, "pattern", at: location)
            keywords.append(.pattern(try JSONSchemaPattern(source, location: describe(location, "pattern"))))
        }
        if let value = members["maxItems"] { keywords.append(.maxItems(try count(value, "maxItems", at: location))) }
        if let value = members["minItems"] { keywords.append(.minItems(try count(value, "minItems", at: location))) }
        if let value = members["uniqueItems"] {
            guard case .bool(let unique) = value else { throw invalid(location, "uniqueItems", "must be a boolean") }
            if unique { keywords.append(.uniqueItems) }
        }
        if let value = members["maxProperties"] {
            keywords.append(.maxProperties(try count(value, "maxProperties", at: location)))
        }
        if let value = members["minProperties"] {
            keywords.append(.minProperties(try count(value, "minProperties", at: location)))
        }
        if let value = members["required"] {
            keywords.append(.required(try strings(value, "required", at: location)))
        }
        if let value = members["dependentRequired"] {
            guard case .object(let entries) = value else {
                throw invalid(location, "dependentRequired", "must be an object")
            }
            var dependencies: [(property: String, required: [String])] = []
            for (property, names) in entries.sorted(by: { $0.key < $1.key }) {
                dependencies.append((property, try strings(names, "dependentRequired", at: location)))
            }
            keywords.append(.dependentRequired(dependencies))
        }
    }

    private mutating func compileInPlaceApplicators(
        _ members: [String: JSONValue], at location: Location, into keywords: inout [JSONSchemaKeyword]
    ) throws(JSONSchemaError) {
        for keyword in ["allOf", "anyOf", "oneOf"] {
            guard let value = members[keyword] else { continue }
            guard case .array(let items) = value, !items.isEmpty else {
                throw invalid(location, keyword, "must be a non-empty array of schemas")
            }
            var children: [JSONSchemaChild] = []
            for offset in items.indices {
                children.append(try child(location, keyword, String(offset)))
            }
            switch keyword {
            case "allOf": keywords.append(.allOf(children))
            case "anyOf": keywords.append(.anyOf(children))
            default: keywords.append(.oneOf(children))
            }
        }
        if members["not"] != nil { keywords.append(.not(try child(location, "not"))) }
        if members["if"] != nil {
            let condition = try child(location, "if")
            let then: JSONSchemaChild? = if members["then"] != nil { try child(location, "then") } else { nil }
            let otherwise: JSONSchemaChild? = if members["else"] != nil { try child(location, "else") } else { nil }
            keywords.append(.conditional(if: condition, then: then, else: otherwise))
        }
        if let value = members["dependentSchemas"] {
            guard case .object(let entries) = value else {
                throw invalid(location, "dependentSchemas", "must be an object of schemas")
            }
            var dependencies: [(property: String, child: JSONSchemaChild)] = []
            for property in entries.keys.sorted() {
                dependencies.append((property, try child(location, "dependentSchemas", property)))
            }
            keywords.append(.dependentSchemas(dependencies))
        }
    }

    private mutating func compileArrayApplicators(
        _ members: [String: JSONValue], at location: Location, vocabularies: JSONSchemaVocabularies,
        into keywords: inout [JSONSchemaKeyword]
    ) throws(JSONSchemaError) {
        var prefixCount = 0
        if let value = members["prefixItems"] {
            guard case .array(let items) = value, !items.isEmpty else {
                throw invalid(location, "prefixItems", "must be a non-empty array of schemas")
            }
            var children: [JSONSchemaChild] = []
            for offset in items.indices {
                children.append(try child(location, "prefixItems", String(offset)))
            }
            prefixCount = children.count
            keywords.append(.prefixItems(children))
        }
        if let value = members["items"] {
            if case .array = value {
                throw invalid(location, "items", "must be a schema (use prefixItems for tuples in Draft 2020-12)")
            }
            keywords.append(.items(try child(location, "items"), from: prefixCount))
        }
        if members["contains"] != nil {
            let contained = try child(location, "contains")
            var minimum = 1
            var maximum: Int?
            var hasMinContains = false
            // minContains/maxContains belong to the validation vocabulary.
            if vocabularies.contains(.validation) {
                if let value = members["minContains"] {
                    minimum = try count(value, "minContains", at: location)
                    hasMinContains = true
                }
                if let value = members["maxContains"] { maximum = try count(value, "maxContains", at: location) }
            }
            keywords.append(
                .contains(
                    JSONSchemaContains(
                        child: contained, minimum: minimum, maximum: maximum, hasMinContains: hasMinContains)))
        }
    }

    private mutating func compileObjectApplicators(
        _ members: [String: JSONValue], at location: Location, into keywords: inout [JSONSchemaKeyword]
    ) throws(JSONSchemaError) {
        var declared: Set<String> = []
        if let value = members["properties"] {
            guard case .object(let entries) = value else {
                throw invalid(location, "properties", "must be an object of schemas")
            }
            var properties: [(name: String, child: JSONSchemaChild)] = []
            for name in entries.keys.sorted() {
                properties.append((name, try child(location, "properties", name)))
            }
            declared = Set(entries.keys)
            keywords.append(.properties(properties))
        }
        var patterns: [JSONSchemaPattern] = []
        if let value = members["patternProperties"] {
            guard case .object(let entries) = value else {
                throw invalid(location, "patternProperties", "must be an object of schemas")
            }
            var patternProperties: [(pattern: JSONSchemaPattern, child: JSONSchemaChild)] = []
            for source in entries.keys.sorted() {
                let pattern = try JSONSchemaPattern(
                    source, location: describe(location, "patternProperties") + "/" + JSONPointer.escape(source))
                patterns.append(pattern)
                patternProperties.append((pattern, try child(location, "patternProperties", source)))
            }
            keywords.append(.patternProperties(patternProperties))
        }
        if members["additionalProperties"] != nil {
            let additional = try child(location, "additionalProperties")
            keywords.append(
                .additionalProperties(
                    JSONSchemaAdditionalProperties(child: additional, declared: declared, patterns: patterns)))
        }
        if members["propertyNames"] != nil {
            keywords.append(.propertyNames(try child(location, "propertyNames")))
        }
    }

    // MARK: Keyword values

    private func describe(_ location: Location, _ keyword: String) -> String {
        resources.describe(location) + "/" + JSONPointer.escape(keyword)
    }

    private func invalid(_ location: Location, _ keyword: String, _ reason: String) -> JSONSchemaError {
        .invalidSchema(location: describe(location, keyword), reason: "\(keyword) \(reason)")
    }

    private func string(
        _ value: JSONValue, _ keyword: String, at location: Location
    ) throws(JSONSchemaError)
        -> String
    {
        guard case .string(let text) = value else { throw invalid(location, keyword, "must be a string") }
        return text
    }

    private func strings(
        _ value: JSONValue, _ keyword: String, at location: Location
    ) throws(JSONSchemaError)
        -> [String]
    {
        guard case .array(let items) = value else { throw invalid(location, keyword, "must be an array of strings") }
        var result: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw invalid(location, keyword, "must be an array of strings") }
            result.append(text)
        }
        return result
    }

    private func number(
        _ value: JSONValue, _ keyword: String, at location: Location
    ) throws(JSONSchemaError)
        -> JSONSchemaNumber
    {
        guard let number = JSONSchemaNumber(value) else { throw invalid(location, keyword, "must be a number") }
        return number
    }

    /// A non-negative integer; JSON allows it to be written as 2.0.
    private func count(_ value: JSONValue, _ keyword: String, at location: Location) throws(JSONSchemaError) -> Int {
        guard case .number(let number) = value, number.isIntegral,
            !number.literal.hasPrefix("-") || number.intValue == 0
        else { throw invalid(location, keyword, "must be a non-negative integer") }
        // Counts beyond Int are unreachable limits: every array and string is shorter.
        return number.intValue ?? Int.max
    }

    private func types(_ value: JSONValue, at location: Location) throws(JSONSchemaError) -> JSONSchemaTypes {
        func named(_ item: JSONValue) throws(JSONSchemaError) -> JSONSchemaTypes {
            guard case .string(let name) = item, let type = JSONSchemaTypes.names.first(where: { $0.0 == name })
            else {
                throw invalid(
                    location, "type", "must name JSON types (null, boolean, integer, number, string, array, object)")
            }
            return type.1
        }
        switch value {
        case .string:
            return try named(value)
        case .array(let items):
            var types: JSONSchemaTypes = []
            for item in items { types.formUnion(try named(item)) }
            return types
        default:
            throw invalid(location, "type", "must be a type name or an array of type names")
        }
    }
}
