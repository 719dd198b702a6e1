import Foundation
import GantryCore

/// One `<option>` of a generated select.
struct SchemaFormOption: Sendable, Equatable {
    var value: String
    var label: String
    var selected: Bool
}

/// One generated input of the job form: a top-level property of the plugin's input schema.
/// Exactly one of the `is…` flags is set; the template picks the control by it.
struct SchemaFormField: Sendable, Equatable {
    var property: String
    /// `input-<property>`
    var id: String
    /// `input.<property>`
    var name: String
    var label: String
    /// Whether the label is a schema title, so the property's own name is shown beside it.
    var showProperty: Bool
    /// What the field holds, for people: "integer", "list of numbers", "JSON object".
    var typeLabel: String
    var hint: String?
    var hintID: String
    /// Not `error`: a nil value would make the template climb to the form's own message.
    var fieldError: String?
    var errorID: String
    var describedBy: String?
    var required: Bool
    /// The text shown in the control (the submitted value, else the schema's default).
    var value: String
    var checked: Bool
    var isText: Bool
    var isTextarea: Bool
    var isSelect: Bool
    var isNumber: Bool
    var isCheckbox: Bool
    /// A textarea in the monospace style (JSON, lists).
    var isCode: Bool
    var options: [SchemaFormOption]
    var step: String?
    var min: String?
    var max: String?
    var minLength: Int?
    var maxLength: Int?
    var rows: Int
}

/// Builds the job form from a plugin's input schema and turns the submitted fields back into the
/// JSON input. Pure functions: the schema decides the controls and the types; whether the input is
/// acceptable is the job service's call (it validates against the same schema).
enum SchemaForm {
    static let idPrefix = "input-"
    static let namePrefix = "input."
    static let rawJSONField = "input_json"

    /// How one property's values are read and written.
    enum Kind: Sendable, Equatable {
        case string(multiline: Bool)
        case choice([JSONValue])
        case integer
        case number
        case boolean
        case list(item: Scalar)
        case json
    }

    enum Scalar: String, Sendable, Equatable {
        case string, integer, number, boolean
    }

    struct Property: Sendable, Equatable {
        var name: String
        var schema: [String: JSONValue]
        var kind: Kind
        var required: Bool
    }

    // MARK: Schema → properties

    /// The top-level properties of an object schema, required ones first (in the schema's order),
    /// then the others by name. Empty when the schema has no `properties` (any JSON: raw input only).
    static func properties(of schema: JSONValue?) -> [Property] {
        guard let object = schema?.objectValue, let properties = object["properties"]?.objectValue else { return [] }
        let required = (object["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        let requiredSet = Set(required)
        var ordered = required.filter { properties[$0] != nil }
        var seen = Set<String>()
        ordered = ordered.filter { seen.insert($0).inserted }
        ordered += properties.keys.filter { !requiredSet.contains($0) }.sorted()
        return ordered.map { name in
            let schema = properties[name]?.objectValue ?? [:]
            return Property(name: name, schema: schema, kind: kind(of: schema), required: requiredSet.contains(name))
        }
    }

    /// The one non-null type a property schema names, if any (`["string", "null"]` reads as string).
    static func primaryType(_ schema: [String: JSONValue]) -> String? {
        switch schema["type"] {
        case .string(let type): return type
        case .array(let types):
            let named = types.compactMap(\.stringValue).filter { $0 != "null" }
            return named.count == 1 ? named[0] : nil
        default: return nil
        }
    }

    static func kind(of schema: [String: JSONValue]) -> Kind {
        let type = primaryType(schema)
        if let values = schema["enum"]?.arrayValue, !values.isEmpty,
            values.allSatisfy({ isScalar($0) && $0 != .null })
        {
            return .choice(values)
        }
        switch type {
        case "string":
            let format = schema["format"]?.stringValue ?? ""
            let maxLength = schema["maxLength"]?.doubleValue ?? 0
            let multiline =
                maxLength > 200 || schema["contentMediaType"] != nil
                || ["textarea", "multiline", "text", "markdown"].contains(format)
            return .string(multiline: multiline)
        case "integer": return .integer
        case "number": return .number
        case "boolean": return .boolean
        case "array":
            let items = schema["items"]?.objectValue ?? [:]
            if let item = primaryType(items).flatMap(Scalar.init(rawValue:)), items["enum"] == nil {
                return .list(item: item)
            }
            return .json
        default: return .json
        }
    }

    static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: false
        default: true
        }
    }

    // MARK: Properties → view models

    /// The fields to show. `values` are submitted texts by property (nil: show the defaults);
    /// `checked` the ticked checkboxes of a submission; `errors` messages by property.
    static func fields(
        for properties: [Property], values: [String: String]?, errors: [String: String] = [:]
    ) -> [SchemaFormField] {
        properties.map { property in
            let schema = property.schema
            let text = values.map { $0[property.name] ?? "" } ?? defaultText(property)
            let hint = hintText(property)
            let error = errors[property.name]
            let hintID = idPrefix + property.name + "-hint"
            let errorID = idPrefix + property.name + "-error"
            let describedBy = [hint == nil ? nil : hintID, error == nil ? nil : errorID].compactMap { $0 }
            var field = SchemaFormField(
                property: property.name, id: idPrefix + property.name, name: namePrefix + property.name,
                label: schema["title"]?.stringValue ?? property.name,
                showProperty: (schema["title"]?.stringValue ?? property.name) != property.name,
                typeLabel: typeLabel(property.kind),
                hint: hint, hintID: hintID, fieldError: error, errorID: errorID,
                describedBy: describedBy.isEmpty ? nil : describedBy.joined(separator: " "),
                required: property.required, value: text, checked: false, isText: false, isTextarea: false,
                isSelect: false, isNumber: false, isCheckbox: false, isCode: false, options: [], step: nil, min: nil,
                max: nil, minLength: nil, maxLength: nil, rows: 3)
            switch property.kind {
            case .string(let multiline):
                field.isText = !multiline
                field.isTextarea = multiline
                field.rows = 5
                field.minLength = schema["minLength"]?.doubleValue.map { Int($0) }
                field.maxLength = schema["maxLength"]?.doubleValue.map { Int($0) }
            case .choice(let choices):
                field.isSelect = true
                let options = choices.map { SchemaFormOption(value: display($0), label: display($0), selected: false) }
                let blank = property.required ? [] : [SchemaFormOption(value: "", label: "—", selected: false)]
                field.options = (blank + options).map { option in
                    var option = option
                    option.selected = option.value == text
                    return option
                }
            case .integer, .number:
                field.isNumber = true
                field.step = property.kind == .integer ? "1" : "any"
                field.min = schema["minimum"].flatMap(numberText)
                field.max = schema["maximum"].flatMap(numberText)
            case .boolean:
                field.isCheckbox = true
                field.checked = text == "true"
                field.value = "true"
                // An unticked box sends nothing and means false, so the browser cannot require it.
                field.required = false
            case .list:
                field.isTextarea = true
                field.isCode = true
                field.rows = 4
            case .json:
                field.isTextarea = true
                field.isCode = true
                field.rows = 6
            }
            return field
        }
    }

    static func typeLabel(_ kind: Kind) -> String {
        switch kind {
        case .string: "text"
        case .choice: "one of the listed values"
        case .integer: "whole number"
        case .number: "number"
        case .boolean: "yes / no"
        case .list(let item):
            switch item {
            case .string: "list of texts"
            case .integer: "list of whole numbers"
            case .number: "list of numbers"
            case .boolean: "list of true / false"
            }
        case .json: "JSON"
        }
    }

    static func hintText(_ property: Property) -> String? {
        var parts: [String] = []
        if let description = property.schema["description"]?.stringValue, !description.isEmpty {
            parts.append(description)
        }
        switch property.kind {
        case .list: parts.append("One item per line (or separated by commas).")
        case .json:
            let expected = primaryType(property.schema).map { "a JSON \($0)" } ?? "JSON"
            parts.append("Enter \(expected).")
        default: break
        }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// The schema's default as the control shows it.
    static func defaultText(_ property: Property) -> String {
        guard let value = property.schema["default"] else { return "" }
        switch property.kind {
        case .list: return (value.arrayValue ?? []).map(display).joined(separator: "\n")
        case .json: return prettyJSON(value)
        default: return display(value)
        }
    }

    /// A scalar as a control's text: strings as they are, others as JSON.
    static func display(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .bool(let flag): flag ? "true" : "false"
        default: value.serializedString()
        }
    }

    static func numberText(_ value: JSONValue) -> String? {
        value.doubleValue == nil ? nil : value.serializedString()
    }

    static func prettyJSON(_ value: JSONValue) -> String {
        value.prettyPrinted()
    }

    // MARK: Form → JSON

    /// The submitted texts by property: a checkbox's is "true" when ticked, "" otherwise.
    static func submittedValues(_ properties: [Property], form: FormFields) -> [String: String] {
        var values: [String: String] = [:]
        for property in properties {
            let text = form[namePrefix + property.name] ?? ""
            values[property.name] = property.kind == .boolean ? (text == "true" ? "true" : "") : text
        }
        return values
    }

    /// The input the fields describe, or the problems by property. An empty field leaves its
    /// property out (the service then reports a missing required one); an unticked box is false.
    static func input(_ properties: [Property], values: [String: String]) -> (JSONValue?, [String: String]) {
        var object: [String: JSONValue] = [:]
        var errors: [String: String] = [:]
        for property in properties {
            let text = values[property.name] ?? ""
            if property.kind == .boolean {
                object[property.name] = .bool(text == "true")
                continue
            }
            if case .string = property.kind {
                if !text.isEmpty { object[property.name] = .string(text) }
                continue
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            switch convert(trimmed, kind: property.kind) {
            case .success(let value): object[property.name] = value
            case .failure(let problem): errors[property.name] = problem.message
            }
        }
        return errors.isEmpty ? (.object(object), [:]) : (nil, errors)
    }

    struct Problem: Error, Equatable {
        var message: String
    }

    static func convert(_ text: String, kind: Kind) -> Result<JSONValue, Problem> {
        switch kind {
        case .string: return .success(.string(text))
        case .boolean: return .success(.bool(text == "true"))
        case .choice(let choices):
            guard let match = choices.first(where: { display($0) == text }) else {
                return .failure(Problem(message: "Choose one of: \(choices.map(display).joined(separator: ", "))."))
            }
            return .success(match)
        case .integer:
            return scalar(text, .integer).mapError { _ in Problem(message: "Enter a whole number, like 42.") }
        case .number:
            return scalar(text, .number).mapError { _ in Problem(message: "Enter a number, like 3 or 0.5.") }
        case .list(let item):
            var items: [JSONValue] = []
            for (index, part) in listItems(text).enumerated() {
                switch scalar(part, item) {
                case .success(let value): items.append(value)
                case .failure:
                    let expected =
                        switch item {
                        case .integer: "a whole number"
                        case .number: "a number"
                        case .boolean: "true or false"
                        case .string: "text"
                        }
                    return .failure(Problem(message: "Item \(index + 1) (\"\(part)\") is not \(expected)."))
                }
            }
            return .success(.array(items))
        case .json:
            do {
                return .success(try JSONValue(parsing: text))
            } catch {
                return .failure(Problem(message: "Enter valid JSON: " + sentence(error.description)))
            }
        }
    }

    /// `text` ending in exactly one full stop.
    static func sentence(_ text: String) -> String {
        var trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        while trimmed.hasSuffix(".") { trimmed.removeLast() }
        return trimmed + "."
    }

    /// One item per line; a single line may separate items by commas.
    static func listItems(_ text: String) -> [String] {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let parts = lines.count > 1 ? lines : text.split(separator: ",").map(String.init)
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func scalar(_ text: String, _ type: Scalar) -> Result<JSONValue, Problem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch type {
        case .string: return .success(.string(text))
        case .boolean:
            switch trimmed.lowercased() {
            case "true", "yes", "1": return .success(.bool(true))
            case "false", "no", "0": return .success(.bool(false))
            default: return .failure(Problem(message: "not a boolean"))
            }
        // What was typed is kept as typed (`1.50`, `1e3`, digits beyond 64 bits), as the API keeps it.
        case .integer:
            if let number = JSONNumber(literal: trimmed), number.isIntegral { return .success(.number(number)) }
            return .failure(Problem(message: "not an integer"))
        case .number:
            if let number = JSONNumber(literal: trimmed) { return .success(.number(number)) }
            return .failure(Problem(message: "not a number"))
        }
    }
}
