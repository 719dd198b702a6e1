import Foundation
import GantryCore
import GantryJSONSchema

/// What an admin registers: seed 003's plugin.json plus Gantry's resources, timeout, input mode
/// and network. Unset fields take the installation's defaults.
public struct PluginManifest: Sendable, Equatable {
    public var name: String?
    public var version: String
    public var description: String?
    public var imageReference: String?
    public var inputSchema: JSONValue?
    public var outputSchema: JSONValue?
    public var cpu: Double?
    public var memoryMB: Int?
    public var gpus: Int?
    public var timeoutSeconds: Int?
    public var inputMode: String?
    public var network: Bool?

    public init(
        name: String?, version: String, description: String? = nil, imageReference: String?,
        inputSchema: JSONValue? = nil, outputSchema: JSONValue? = nil, cpu: Double? = nil, memoryMB: Int? = nil,
        gpus: Int? = nil, timeoutSeconds: Int? = nil, inputMode: String? = nil, network: Bool? = nil
    ) {
        self.name = name
        self.version = version
        self.description = description
        self.imageReference = imageReference
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.gpus = gpus
        self.timeoutSeconds = timeoutSeconds
        self.inputMode = inputMode
        self.network = network
    }

    /// The plugin this manifest describes, or a 400 naming the first problem.
    func validated(name: String, settings: JobSettings, now: Date) throws(GantryError) -> Plugin {
        guard Identifiers.isValidPluginName(name) else {
            throw GantryError(
                .invalidInput, code: "invalid_name",
                detail: "plugin name '\(name)' must match ^[a-z0-9-]+$ and be 1 to 100 characters")
        }
        let version = version.trimmingCharacters(in: .whitespaces)
        guard !version.isEmpty, version.count <= 64, !version.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw GantryError.invalid("version must be 1 to 64 characters without spaces or slashes")
        }
        guard let imageReference, !imageReference.isEmpty else {
            throw GantryError.invalid("docker_image_url is required")
        }
        if let problem = ImageReferenceSyntax.problem(in: imageReference) {
            throw GantryError.invalid(
                "docker_image_url '\(imageReference)' is not a valid image reference: it \(problem)")
        }
        let description = description ?? ""
        guard description.unicodeScalars.count <= 2000 else {
            throw GantryError.invalid("description is longer than 2000 characters")
        }
        for (field, schema) in [("input_schema", inputSchema), ("output_schema", outputSchema)] {
            guard let schema else { continue }
            let violations = JSONSchema.check(schema)
            if let first = violations.first {
                throw GantryError(
                    .invalidInput, code: "invalid_schema",
                    detail: "\(field) is not a valid JSON Schema (draft 2020-12): \(first)")
            }
        }
        let defaults = settings.defaultResources
        let resources = Plugin.Resources(
            cpu: cpu ?? defaults.cpu, memoryMB: memoryMB ?? defaults.memoryMB, gpus: gpus ?? defaults.gpus)
        guard resources.cpu > 0, resources.cpu <= 256 else {
            throw GantryError.invalid("resources.cpu must be in (0, 256]")
        }
        guard resources.memoryMB >= 16, resources.memoryMB <= 4_194_304 else {
            throw GantryError.invalid("resources.memory_mb must be at least 16")
        }
        guard resources.gpus >= 0, resources.gpus <= 64 else {
            throw GantryError.invalid("resources.gpus must be 0 to 64")
        }
        let timeout = timeoutSeconds ?? settings.defaultTimeoutSeconds
        guard timeout >= 1, timeout <= settings.maxTimeoutSeconds else {
            throw GantryError.invalid("timeout_seconds must be 1 to \(settings.maxTimeoutSeconds)")
        }
        let mode: Plugin.InputMode
        if let inputMode {
            guard let parsed = Plugin.InputMode(rawValue: inputMode) else {
                throw GantryError.invalid("input_mode must be stdin or argv")
            }
            mode = parsed
        } else {
            mode = .stdin
        }
        return Plugin(
            name: name, version: version, description: description, imageReference: imageReference,
            inputSchema: inputSchema, outputSchema: outputSchema, resources: resources, timeoutSeconds: timeout,
            inputMode: mode, network: network ?? false, createdAt: now, updatedAt: now)
    }
}
