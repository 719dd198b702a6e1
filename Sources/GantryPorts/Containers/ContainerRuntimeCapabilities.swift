/// What an engine can do beyond the container lifecycle, declared by the engine itself (Nomad's
/// drivers declare theirs the same way) instead of being discovered by downcasting it.
public struct ContainerRuntimeCapabilities: Sendable {
    /// Runs processes inside running containers (`docker exec`): the SSH gateway and session set-up.
    public var exec: (any ContainerExecutor)?
    /// Starts containers with their streams attached (`docker run -i`): job attempts.
    public var attach: (any ContainerAttacher)?

    public init(exec: (any ContainerExecutor)? = nil, attach: (any ContainerAttacher)? = nil) {
        self.exec = exec
        self.attach = attach
    }

    /// The container lifecycle only.
    public static let lifecycleOnly = ContainerRuntimeCapabilities()
}
