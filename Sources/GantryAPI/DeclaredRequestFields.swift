import GantryCore

/// The fields each operation's JSON request body declares in openapi.yaml, as a tree, for the one
/// check the generated decoders cannot make: they read `null` in an optional field as the field
/// left out, although openapi.yaml declares no field nullable. A `null` in a declared, typed field
/// is refused; one in a field of no type (free-form JSON such as `input_data`) or in a member the
/// schema does not declare (extra members are allowed and ignored) is not.
public struct DeclaredRequestFields: Sendable {
    /// One schema: whether it has a type (so `null` is not one of its values), its properties
    /// and, for an array, its items.
    final class Node: Sendable {
        let typed: Bool
        let properties: [String: Node]
        let items: Node?

        init(typed: Bool, properties: [String: Node], items: Node?) {
            self.typed = typed
            self.properties = properties
            self.items = items
        }
    }

    /// Request body schemas by "METHOD /path/{template}".
    private let bodies: [String: Node]

    /// Reads the request bodies of every operation in `document` (openapi.yaml as JSON).
    public init(openAPI document: JSONValue) {
        var bodies: [String: Node] = [:]
        let components = document["components"]?["schemas"]
        guard case .object(let paths) = document["paths"] else {
            self.bodies = [:]
            return
        }
        for (path, item) in paths {
            guard case .object(let operations) = item else { continue }
            for (method, operation) in operations {
                guard let schema = operation["requestBody"]?["content"]?["application/json"]?["schema"] else {
                    continue
                }
                var resolver = Resolver(schemas: components)
                bodies["\(method.uppercased()) \(path)"] = resolver.node(for: schema)
            }
        }
        self.bodies = bodies
    }

    /// Where `body` has a `null` in a typed field declared by the request schema of
    /// `method` on the route `endpoint` (the router's template, `/api/v1/users/{id}`), as a
    /// path such as `quota.cpu`; nil when there is none or the operation declares no JSON body.
    public func firstNull(in body: JSONValue, method: String, endpoint: String) -> String? {
        guard let root = bodies["\(method.uppercased()) \(endpoint)"] else { return nil }
        return Self.firstNull(in: body, node: root, path: "")
    }

    private static func firstNull(in value: JSONValue, node: Node, path: String) -> String? {
        switch value {
        case .null:
            return node.typed ? (path.isEmpty ? "body" : path) : nil
        case .object(let members):
            for key in members.keys.sorted() {
                guard let child = node.properties[key], let member = members[key] else { continue }
                if let found = firstNull(in: member, node: child, path: path.isEmpty ? key : "\(path).\(key)") {
                    return found
                }
            }
            return nil
        case .array(let elements):
            guard let items = node.items else { return nil }
            for (index, element) in elements.enumerated() {
                if let found = firstNull(in: element, node: items, path: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }

    /// Turns schemas into nodes, following `$ref`s into `components/schemas` and merging `allOf`.
    /// A schema met again inside itself (a recursive one) stops there, as a free-form node.
    private struct Resolver {
        let schemas: JSONValue?
        var inProgress: Set<String> = []

        mutating func node(for schema: JSONValue) -> Node {
            if case .string(let reference) = schema["$ref"] {
                let name = String(reference.split(separator: "/").last ?? "")
                guard let target = schemas?[name], !inProgress.contains(name) else {
                    return Node(typed: false, properties: [:], items: nil)
                }
                inProgress.insert(name)
                defer { inProgress.remove(name) }
                return node(for: target)
            }
            var typed = Self.hasNonNullType(schema)
            var properties: [String: Node] = [:]
            if case .object(let declared) = schema["properties"] {
                typed = typed || !declared.isEmpty
                for (key, property) in declared { properties[key] = node(for: property) }
            }
            var items: Node?
            if let itemSchema = schema["items"] { items = node(for: itemSchema) }
            if case .array(let parts) = schema["allOf"] {
                for part in parts {
                    let merged = node(for: part)
                    typed = typed || merged.typed
                    properties.merge(merged.properties) { first, _ in first }
                    items = items ?? merged.items
                }
            }
            if schema["nullable"] == .bool(true) { typed = false }
            return Node(typed: typed, properties: properties, items: items)
        }

        /// `type: string`, or a list of types without `"null"`.
        private static func hasNonNullType(_ schema: JSONValue) -> Bool {
            switch schema["type"] {
            case .string(let type): return type != "null"
            case .array(let types): return !types.isEmpty && !types.contains(.string("null"))
            default: return false
            }
        }
    }
}
