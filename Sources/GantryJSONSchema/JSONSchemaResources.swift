import GantryCore

/// Where subschemas live and which URIs name them: the schema resources (`$id` scopes) of every
/// loaded document, their `$anchor`s and `$dynamicAnchor`s, and the base URI in force at each
/// subschema. Built by walking documents through the keywords that hold subschemas only, so
/// that an `$id` inside `const`, `enum` or an unknown keyword is not mistaken for one.
struct JSONSchemaResources {
    /// A subschema's position: a document and a JSON Pointer into it.
    struct Location: Hashable {
        let document: Int
        let pointer: JSONPointer
    }

    struct Resource {
        let location: Location
        let vocabularies: JSONSchemaVocabularies
        var anchors: [String: Location] = [:]
        var dynamicAnchors: [String: Location] = [:]
    }

    /// What holds at one subschema: its resource and the base URI for its references.
    struct Place {
        let resource: Int
        let base: JSONSchemaURI
    }

    static let singleSchemaKeywords: Set<String> = [
        "additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else",
        "unevaluatedItems", "unevaluatedProperties", "contentSchema",
    ]
    static let schemaArrayKeywords: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]
    static let schemaMapKeywords: Set<String> = [
        "$defs", "properties", "patternProperties", "dependentSchemas", "definitions",
    ]

    private(set) var documents: [JSONValue] = []
    private(set) var documentURIs: [String] = []
    private(set) var resources: [Resource] = []
    private var resourceByURI: [String: Int] = [:]
    private var places: [Location: Place] = [:]
    /// Registry documents not loaded yet, by normalised URI.
    private var pending: [String: JSONValue]
    private var vocabularyCache: [String: JSONSchemaVocabularies] = [:]

    init(registry: [String: JSONValue]) {
        var pending: [String: JSONValue] = [:]
        for (uri, document) in registry {
            pending[Self.normalized(uri)] = document
        }
        self.pending = pending
    }

    /// A URI as a lookup key: parsed, re-serialised and without its fragment.
    static func normalized(_ uri: String) -> String {
        JSONSchemaURI(parsing: uri).withoutFragment.description
    }

    func value(at location: Location) -> JSONValue? {
        location.pointer.value(in: documents[location.document])
    }

    /// A location as text for error messages: a pointer for the main document, "uri#pointer"
    /// for documents loaded by reference.
    func describe(_ location: Location) -> String {
        location.document == 0
            ? location.pointer.description : documentURIs[location.document] + "#" + location.pointer.description
    }

    /// Adds a document retrieved from `uri` and indexes its resources. Returns its index.
    @discardableResult
    mutating func addDocument(_ document: JSONValue, uri: String) throws(JSONSchemaError) -> Int {
        let index = documents.count
        documents.append(document)
        documentURIs.append(uri)
        try indexSubschema(
            document, at: Location(document: index, pointer: .root), base: JSONSchemaURI(parsing: uri),
            resource: nil, vocabularies: .all)
        return index
    }

    /// The resource a URI (without fragment) names, loading registry and built-in documents on
    /// first use.
    mutating func resource(named uri: String) throws(JSONSchemaError) -> Int? {
        if let known = resourceByURI[uri] { return known }
        if let document = pending.removeValue(forKey: uri) {
            try addDocument(document, uri: uri)
            if let known = resourceByURI[uri] { return known }
        }
        if let builtIn = JSONSchemaMetaSchemas.documents[uri] {
            try addDocument(builtIn, uri: uri)
            if let known = resourceByURI[uri] { return known }
        }
        // The URI may name a resource embedded in a registry document under another name.
        guard !pending.isEmpty else { return nil }
        let remaining = pending.sorted { $0.key < $1.key }
        pending = [:]
        for (documentURI, document) in remaining {
            try addDocument(document, uri: documentURI)
        }
        return resourceByURI[uri]
    }

    /// The place of a subschema location. Locations reached only through a JSON Pointer (inside
    /// a keyword the walk does not know) are indexed on demand from their nearest known ancestor.
    mutating func place(of location: Location) throws(JSONSchemaError) -> Place {
        if let known = places[location] { return known }
        var ancestor = location.pointer.tokens
        var inherited: Place?
        while !ancestor.isEmpty && inherited == nil {
            ancestor.removeLast()
            inherited = places[Location(document: location.document, pointer: JSONPointer(tokens: ancestor))]
        }
        guard let inherited, let value = value(at: location) else {
            throw .invalidSchema(location: describe(location), reason: "no schema at this location")
        }
        try indexSubschema(
            value, at: location, base: inherited.base, resource: inherited.resource,
            vocabularies: resources[inherited.resource].vocabularies)
        if let known = places[location] { return known }
        throw .invalidSchema(location: describe(location), reason: "no schema at this location")
    }

    private mutating func indexSubschema(
        _ value: JSONValue, at location: Location, base: JSONSchemaURI, resource: Int?,
        vocabularies: JSONSchemaVocabularies
    ) throws(JSONSchemaError) {
        guard case .object(let members) = value else {
            // Boolean schemas (and, at a document root, values that are not schemas at all, which
            // compiling reports) still occupy a place so references can reach them.
            let owner = resource ?? registerResource(uri: base, location: location, vocabularies: vocabularies)
            places[location] = Place(resource: owner, base: base)
            return
        }
        var base = base
        var owner = resource
        // A bare-fragment `$id` ("#foo") is a pre-2019 anchor, not an identifier in Draft 2020-12.
        if let id = members["$id"]?.stringValue, !id.hasPrefix("#") {
            base = base.resolving(id).withoutFragment
            owner = nil
        }
        if owner == nil {
            var resourceVocabularies = vocabularies
            if let dialect = members["$schema"]?.stringValue {
                resourceVocabularies = try self.vocabularies(ofMetaSchema: dialect)
            }
            let created = registerResource(uri: base, location: location, vocabularies: resourceVocabularies)
            if resource == nil && location.pointer.tokens.isEmpty {
                // A document root is known by its retrieval URI as well as by its `$id`.
                alias(documentURIs[location.document], to: created)
            }
            owner = created
        }
        guard let owner else { return }
        places[location] = Place(resource: owner, base: base)
        if let anchor = members["$anchor"]?.stringValue {
            resources[owner].anchors[anchor] = resources[owner].anchors[anchor] ?? location
        }
        if let anchor = members["$dynamicAnchor"]?.stringValue {
            resources[owner].anchors[anchor] = resources[owner].anchors[anchor] ?? location
            resources[owner].dynamicAnchors[anchor] = resources[owner].dynamicAnchors[anchor] ?? location
        }
        let childVocabularies = resources[owner].vocabularies
        for (keyword, child) in members {
            if Self.singleSchemaKeywords.contains(keyword) {
                try indexSubschema(
                    child, at: Location(document: location.document, pointer: location.pointer.appending(keyword)),
                    base: base, resource: owner, vocabularies: childVocabularies)
            } else if Self.schemaArrayKeywords.contains(keyword), case .array(let items) = child {
                for (offset, item) in items.enumerated() {
                    let pointer = location.pointer.appending([keyword, String(offset)])
                    try indexSubschema(
                        item, at: Location(document: location.document, pointer: pointer), base: base,
                        resource: owner, vocabularies: childVocabularies)
                }
            } else if Self.schemaMapKeywords.contains(keyword), case .object(let entries) = child {
                for (name, entry) in entries {
                    let pointer = location.pointer.appending([keyword, name])
                    try indexSubschema(
                        entry, at: Location(document: location.document, pointer: pointer), base: base,
                        resource: owner, vocabularies: childVocabularies)
                }
            }
        }
    }

    private mutating func registerResource(
        uri: JSONSchemaURI, location: Location, vocabularies: JSONSchemaVocabularies
    ) -> Int {
        let index = resources.count
        resources.append(Resource(location: location, vocabularies: vocabularies))
        alias(uri.description, to: index)
        return index
    }

    /// The first resource to claim a URI keeps it: the main schema wins over the registry, and
    /// the registry over the built-in meta-schemas.
    private mutating func alias(_ uri: String, to resource: Int) {
        let key = Self.normalized(uri)
        if resourceByURI[key] == nil { resourceByURI[key] = resource }
    }

    /// The vocabularies a `$schema` URI enables, from its meta-schema's `$vocabulary`. A dialect
    /// that cannot be found, or that declares no vocabularies, is treated as full Draft 2020-12.
    private mutating func vocabularies(ofMetaSchema uri: String) throws(JSONSchemaError) -> JSONSchemaVocabularies {
        let key = Self.normalized(uri)
        if let cached = vocabularyCache[key] { return cached }
        var metaSchema = pending[key] ?? JSONSchemaMetaSchemas.documents[key]
        if metaSchema == nil, let known = resourceByURI[key] {
            metaSchema = value(at: resources[known].location)
        }
        var result = JSONSchemaVocabularies.all
        if case .object(let declaration)? = metaSchema?["$vocabulary"] {
            result = try JSONSchemaVocabularies(declaration: declaration)
        }
        vocabularyCache[key] = result
        return result
    }
}
