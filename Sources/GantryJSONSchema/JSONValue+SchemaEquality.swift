import GantryCore

extension JSONValue {
    /// Equality as JSON Schema defines it for `const`, `enum` and `uniqueItems`: numbers compare
    /// by mathematical value (`1 == 1.0`), strings by code points, arrays element-wise and objects
    /// by their members regardless of order.
    public func isJSONEqual(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null):
            return true
        case (.bool(let left), .bool(let right)):
            return left == right
        case (.number(let left), .number(let right)):
            return left == right || JSONSchemaNumber.compare(JSONSchemaNumber(left), JSONSchemaNumber(right)) == 0
        case (.string(let left), .string(let right)):
            // Code-point comparison: Swift's `==` would also equate canonically equivalent strings.
            return left.utf8.elementsEqual(right.utf8)
        case (.array(let left), .array(let right)):
            guard left.count == right.count else { return false }
            return zip(left, right).allSatisfy { $0.isJSONEqual($1) }
        case (.object(let left), .object(let right)):
            guard left.count == right.count else { return false }
            for (key, value) in left {
                guard let counterpart = right[key], value.isJSONEqual(counterpart) else { return false }
            }
            return true
        default:
            return false
        }
    }
}
