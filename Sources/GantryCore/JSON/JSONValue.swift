import Foundation

/// Any JSON document: job inputs and results, plugin schemas. Numbers keep their literal
/// (`JSONNumber`), so a value reaches the plugin, the store and the response exactly as it was
/// sent. `==` is structural (`1` and `1.0` differ); JSON Schema's own equality (where they are
/// equal) is `isJSONEqual(_:)`.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// An integer number.
    public static func integer(_ value: Int) -> JSONValue {
        .number(JSONNumber(value))
    }

    /// A finite double as `JSONEncoder` would spell it; NaN and the infinities, which JSON cannot
    /// express, are `null`.
    public static func double(_ value: Double) -> JSONValue {
        JSONNumber(value).map(JSONValue.number) ?? .null
    }

    /// Parses one JSON document (`JSONParser`). Throws `JSONValueError.malformed` with the reason,
    /// or `.duplicateKey` for an object with the same key twice; only documents Gantry wrote
    /// itself skip that check (`trusted`, where the last of equal keys wins).
    public init(parsing data: some ContiguousBytes, trusted: Bool = false) throws(JSONValueError) {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(JSONParser.Failure) in
                try JSONParser.parse(bytes, refuseDuplicates: !trusted)
            }
        }
        switch result {
        case .success(let value): self = value
        case .failure(.malformed(let reason)): throw .malformed(reason)
        case .failure(.duplicate(let duplicate)): throw .duplicateKey(duplicate)
        }
    }

    public init(parsing text: String, trusted: Bool = false) throws(JSONValueError) {
        try self.init(parsing: Array(text.utf8), trusted: trusted)
    }

    /// Compact JSON text with sorted keys and every number as written, so equal values
    /// serialise identically (`JSONWriter`).
    public func serialized() -> Data {
        Data(serializedBytes())
    }

    public func serializedBytes() -> [UInt8] {
        var output: [UInt8] = []
        JSONWriter.write(self, to: &output)
        return output
    }

    public func serializedString() -> String {
        String(decoding: serializedBytes(), as: UTF8.self)
    }

    /// Indented for people to read (two spaces a level, sorted keys), numbers as written.
    public func prettyPrinted() -> String {
        var output: [UInt8] = []
        JSONWriter.write(self, to: &output, indent: 0)
        return String(decoding: output, as: UTF8.self)
    }

    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number(let number): number.isIntegral ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { members } else { nil }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { items } else { nil }
    }

    public var stringValue: String? {
        if case .string(let text) = self { text } else { nil }
    }

    /// The nearest double to a number.
    public var doubleValue: Double? {
        if case .number(let number) = self { number.doubleValue } else { nil }
    }

    /// A number's exact value when it is a whole number that fits `Int`.
    public var intValue: Int? {
        if case .number(let number) = self { number.intValue } else { nil }
    }

    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }
}

public enum JSONValueError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    /// An object with the same key twice: readers disagree on which one counts.
    case duplicateKey(JSONDuplicateKey)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed JSON: \(reason)"
        case .duplicateKey(let duplicate): "malformed JSON: \(duplicate)"
        }
    }
}

/// For JSON inside other Codable types: a decoder or an encoder other than Gantry's own only
/// knows `Int` and `Double`, so there a literal is read and written as the nearest of those.
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let number):
            if number.isPlainInt, let value = number.intValue {
                try container.encode(value)
            } else {
                try container.encode(number.doubleValue)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
