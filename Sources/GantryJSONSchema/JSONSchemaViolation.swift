import GantryCore

/// One reason an instance does not match a schema, in the spirit of the specification's "basic"
/// output unit: where in the instance, which keyword (by its evaluation path through the schema),
/// and a message meant for people (e.g. the body of an HTTP 400).
public struct JSONSchemaViolation: Sendable, Equatable, CustomStringConvertible {
    /// JSON Pointer into the instance; "" is the instance root.
    public var instanceLocation: String
    /// JSON Pointer along the evaluation path through the schema, `$ref`s included,
    /// e.g. "/properties/features/items/type".
    public var keywordLocation: String
    /// The keyword that failed, e.g. "type" or "required".
    public var keyword: String
    /// Human-readable reason, e.g. "expected number, got string".
    public var message: String

    public init(instanceLocation: String, keywordLocation: String, keyword: String, message: String) {
        self.instanceLocation = instanceLocation
        self.keywordLocation = keywordLocation
        self.keyword = keyword
        self.message = message
    }

    public var description: String {
        let place = instanceLocation.isEmpty ? "(root)" : instanceLocation
        let at = keywordLocation.isEmpty ? "" : " at \(keywordLocation)"
        return "\(place): \(message) (keyword \"\(keyword)\"\(at))"
    }
}
