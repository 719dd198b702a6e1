import GantryCore
import OpenAPIRuntime

/// Free-form JSON (schemas, job inputs and results) crosses the edge as the runtime's
/// `OpenAPIValueContainer`; the core works on `JSONValue`. The container knows numbers only as
/// `Int` and `Double`, so exact literals travel beside it: `JSONRequestBody` on the way in,
/// `NumberLiterals` on the way out.
extension JSONValue {
    public init(_ container: OpenAPIValueContainer) {
        self.init(anyValue: container.value)
    }

    private init(anyValue value: (any Sendable)?) {
        switch value {
        case nil: self = .null
        case let value as Bool: self = .bool(value)
        case let value as Int: self = .integer(value)
        case let value as Double: self = .double(value)
        case let value as String: self = .string(value)
        case let value as [(any Sendable)?]: self = .array(value.map { JSONValue(anyValue: $0) })
        case let value as [String: (any Sendable)?]: self = .object(value.mapValues { JSONValue(anyValue: $0) })
        default: self = .string("\(value.map { "\($0)" } ?? "null")")
        }
    }

    var anyValue: (any Sendable)? {
        switch self {
        case .null: nil
        case .bool(let value): value
        case .number(let number): Self.anyValue(number)
        case .string(let value): value
        case .array(let items): items.map(\.anyValue) as [(any Sendable)?]
        case .object(let members): members.mapValues(\.anyValue) as [String: (any Sendable)?]
        }
    }

    /// The `Int` or `Double` that `JSONEncoder` writes as this very literal; otherwise a
    /// placeholder for `NumberLiteralMiddleware`, or, outside a request, the nearest double.
    private static func anyValue(_ number: JSONNumber) -> (any Sendable)? {
        if number.isPlainInt, let integer = number.intValue { return integer }
        if number.isEncoderSpelling { return number.doubleValue }
        if let literals = NumberLiterals.current { return literals.placeholder(for: number) }
        let nearest = number.doubleValue
        return nearest.isFinite ? nearest : nil
    }

    public var openAPIValue: OpenAPIValueContainer {
        // Every case maps to a type the container accepts, so the validating initialiser cannot fail;
        // a null stands in should that ever change.
        if let container = try? OpenAPIValueContainer(unvalidatedValue: anyValue) { return container }
        let null: OpenAPIValueContainer = nil
        return null
    }
}
