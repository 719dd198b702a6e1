import Foundation
import GantryOpenAPI
import OpenAPIRuntime

/// A plugin.json (seed 003) read into the contract's `NewPlugin`. The fields are checked here, one by one,
/// so that a wrong type is reported by name before anything is sent; what only the server can judge (the
/// name's syntax, the image, whether the schemas are valid JSON Schema) is left to it.
struct PluginManifest: Equatable, Sendable {
    /// The plugin's name, which `update` puts in the path.
    var name: String
    var plugin: Components.Schemas.NewPlugin
    /// Fields the contract does not have, as `resources.gpu` for nested ones, so a typo is not silently lost.
    var unknownFields: [String]
}

enum PluginManifestFile {
    /// The fields of a plugin.json the contract knows.
    static let knownFields: Set<String> = [
        "name", "version", "description", "docker_image_url", "docker_image", "input_schema", "output_schema",
        "resources", "timeout_seconds", "input_mode", "network",
    ]
    static let knownResourceFields: Set<String> = ["cpu", "memory_mb", "gpus"]

    /// Reads and checks the manifest in `source`.
    static func load(
        _ source: JSONInputFile.Source,
        readStdin: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }
    ) throws -> PluginManifest {
        // Its fields are read as plain values (`"timeout_seconds": 30.0` is 30), so no number here
        // stands in as a placeholder for its exact literal.
        let json = try NumberLiterals.$current.withValue(nil) { try JSONInputFile.load(source, readStdin: readStdin) }
        return try manifest(from: json, label: source.label)
    }

    /// The manifest in an already parsed JSON value; `label` names its source in errors.
    static func manifest(from json: OpenAPIValueContainer, label: String) throws -> PluginManifest {
        guard let object = json.value as? [String: (any Sendable)?] else {
            throw CLIError.invalidInput(
                "\(label) must hold a JSON object with the plugin's fields, not \(Fields.kind(of: json.value))")
        }
        let fields = Fields(object: object, label: label)
        guard let name = try fields.string("name"), !name.isEmpty else {
            throw CLIError.invalidInput("\(label): \"name\" is required")
        }
        guard let version = try fields.string("version"), !version.isEmpty else {
            throw CLIError.invalidInput("\(label): \"version\" is required")
        }
        let imageURL = try fields.string("docker_image_url")
        let image = try fields.string("docker_image")
        if let imageURL, let image, !imageURL.isEmpty, !image.isEmpty, imageURL != image {
            throw CLIError.invalidInput(
                "\(label): \"docker_image\" and \"docker_image_url\" name different images; give one of them")
        }
        // The server takes either name; one field is sent, the contract's own.
        guard let reference = [imageURL, image].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw CLIError.invalidInput("\(label): \"docker_image\" (or \"docker_image_url\") is required")
        }

        var unknown = object.keys.filter { !knownFields.contains($0) }.sorted()
        var resources: Components.Schemas.PluginResources?
        if let resourceObject = try fields.object("resources") {
            let nested = Fields(object: resourceObject, label: label, path: "resources.")
            resources = .init(
                cpu: try nested.number("cpu"), memoryMb: try nested.integer("memory_mb"),
                gpus: try nested.integer("gpus"))
            unknown += resourceObject.keys.filter { !knownResourceFields.contains($0) }.sorted()
                .map { "resources.\($0)" }
        }

        let plugin = Components.Schemas.NewPlugin(
            name: name,
            version: version,
            description: try fields.string("description"),
            dockerImageUrl: reference,
            inputSchema: try fields.json("input_schema"),
            outputSchema: try fields.json("output_schema"),
            resources: resources,
            timeoutSeconds: try fields.integer("timeout_seconds"),
            inputMode: try fields.inputMode("input_mode"),
            network: try fields.bool("network")
        )
        return PluginManifest(name: name, plugin: plugin, unknownFields: unknown)
    }

    /// Typed access to one JSON object's fields, with errors that name the field. A null counts as absent.
    private struct Fields {
        var object: [String: (any Sendable)?]
        var label: String
        /// Prefix for nested objects' field names in messages.
        var path = ""

        private func value(_ key: String) -> (any Sendable)? {
            guard let found = object[key] else { return nil }
            return found
        }

        private func mismatch(_ key: String, _ expected: String, _ value: any Sendable) -> CLIError {
            .invalidInput("\(label): \"\(path)\(key)\" must be \(expected), not \(Self.kind(of: value))")
        }

        func string(_ key: String) throws -> String? {
            guard let value = value(key) else { return nil }
            guard let string = value as? String else { throw mismatch(key, "a string", value) }
            return string
        }

        func bool(_ key: String) throws -> Bool? {
            guard let value = value(key) else { return nil }
            guard let bool = value as? Bool else { throw mismatch(key, "true or false", value) }
            return bool
        }

        func integer(_ key: String) throws -> Int? {
            guard let value = value(key) else { return nil }
            if !(value is Bool) {
                if let integer = value as? Int { return integer }
                if let double = value as? Double, double == double.rounded(), abs(double) < 1e15 { return Int(double) }
            }
            throw mismatch(key, "a whole number", value)
        }

        func number(_ key: String) throws -> Double? {
            guard let value = value(key) else { return nil }
            if !(value is Bool) {
                if let integer = value as? Int { return Double(integer) }
                if let double = value as? Double { return double }
            }
            throw mismatch(key, "a number", value)
        }

        func object(_ key: String) throws -> [String: (any Sendable)?]? {
            guard let value = value(key) else { return nil }
            guard let object = value as? [String: (any Sendable)?] else { throw mismatch(key, "an object", value) }
            return object
        }

        func inputMode(_ key: String) throws -> Components.Schemas.PluginInputMode? {
            guard let text = try string(key) else { return nil }
            guard let mode = Components.Schemas.PluginInputMode(rawValue: text) else {
                let modes = Components.Schemas.PluginInputMode.allCases.map { "\"\($0.rawValue)\"" }
                throw CLIError.invalidInput(
                    "\(label): \"\(path)\(key)\" must be \(modes.joined(separator: " or ")), not \"\(text)\"")
            }
            return mode
        }

        /// A free-form JSON value (the schemas), passed on as it is.
        func json(_ key: String) throws -> OpenAPIValueContainer? {
            guard let value = value(key) else { return nil }
            return try OpenAPIValueContainer(unvalidatedValue: value)
        }

        /// A JSON value's kind in words, for messages.
        static func kind(of value: (any Sendable)?) -> String {
            switch value {
            case .none: "null"
            case .some(let value as Bool): value ? "true" : "false"
            case .some(is Int), .some(is Double): "a number"
            case .some(is String): "a string"
            case .some(is [(any Sendable)?]): "an array"
            case .some(is [String: (any Sendable)?]): "an object"
            case .some: "an unknown value"
            }
        }
    }
}
