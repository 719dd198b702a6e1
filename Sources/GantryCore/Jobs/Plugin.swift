import Foundation

/// A registered plugin at one version: a container image with a JSON contract (seed 003).
public struct Plugin: Sendable, Equatable {
    public enum InputMode: String, Sendable, Equatable, CaseIterable {
        /// The input JSON is written to the container's stdin.
        case stdin
        /// The input JSON is passed as the container command's first argument.
        case argv
    }

    public struct Resources: Sendable, Equatable {
        public var cpu: Double
        public var memoryMB: Int
        public var gpus: Int

        public init(cpu: Double, memoryMB: Int, gpus: Int) {
            self.cpu = cpu
            self.memoryMB = memoryMB
            self.gpus = gpus
        }
    }

    public var id: UUID
    public var name: String
    public var version: String
    public var description: String
    public var imageReference: String
    public var inputSchema: JSONValue?
    public var outputSchema: JSONValue?
    public var resources: Resources
    public var timeoutSeconds: Int
    public var inputMode: InputMode
    /// Whether job containers get a network; they run with none otherwise.
    public var network: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID = UUID(), name: String, version: String, description: String, imageReference: String,
        inputSchema: JSONValue?, outputSchema: JSONValue?, resources: Resources, timeoutSeconds: Int,
        inputMode: InputMode, network: Bool, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.version = version
        self.description = description
        self.imageReference = imageReference
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.resources = resources
        self.timeoutSeconds = timeoutSeconds
        self.inputMode = inputMode
        self.network = network
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
