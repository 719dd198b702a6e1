/// A host directory mounted into a container.
public struct BindMount: Sendable, Equatable, Codable {
    public var source: String
    public var target: String
    public var readOnly: Bool

    public init(source: String, target: String, readOnly: Bool = false) {
        self.source = source
        self.target = target
        self.readOnly = readOnly
    }
}
