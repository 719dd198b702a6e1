import GantryServices

/// The use cases the edges call (the API and the dashboard): one bag, built once by the server.
public struct EdgeServices: Sendable {
    public var users: UserService
    public var images: ImageService
    public var instances: InstanceService
    public var nodes: NodeService
    public var sessions: SessionService
    public var gpus: GPUService
    public var sshKeys: SSHKeyService
    public var plugins: PluginService
    public var jobs: JobService
    public var readiness: @Sendable () async -> [String: String]
    public var openSignUp: Bool

    public init(
        users: UserService, images: ImageService, instances: InstanceService, nodes: NodeService,
        sessions: SessionService, gpus: GPUService, sshKeys: SSHKeyService, plugins: PluginService, jobs: JobService,
        readiness: @escaping @Sendable () async -> [String: String], openSignUp: Bool
    ) {
        self.plugins = plugins
        self.jobs = jobs
        self.sessions = sessions
        self.gpus = gpus
        self.sshKeys = sshKeys
        self.users = users
        self.images = images
        self.instances = instances
        self.nodes = nodes
        self.readiness = readiness
        self.openSignUp = openSignUp
    }
}
