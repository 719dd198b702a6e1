import Foundation
import GantryCore
import GantryOpenAPI
import GantryServices
import OpenAPIRuntime

/// The use cases the API edge calls.
public struct APIServices: Sendable {
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

/// Implements the generated `APIProtocol`: decode, authenticate, call a service, encode. No
/// business rules live here.
public struct APIHandler: APIProtocol {
    let services: APIServices

    public init(services: APIServices) { self.services = services }

    /// Compact JSON (no pretty printing, no key sorting) and a fast date encoder: listings are the
    /// hot path, and the runtime's defaults cost more than the rest of the request.
    public static let serverConfiguration = Configuration(
        dateTranscoder: InternetDateTranscoder(), jsonEncodingOptions: [.withoutEscapingSlashes])

    /// The caller, verified on every request so deactivation takes effect at once.
    func principal() async throws -> Principal {
        guard let credential = RequestCredentials.current else {
            throw GantryError(
                .unauthorized, code: "not_authenticated",
                detail: "send Authorization: Bearer <token> or X-API-Key: <key>")
        }
        return try await services.users.authenticate(credential: credential)
    }

    /// The caller when credentials were sent, nil when none were.
    func optionalPrincipal() async throws -> Principal? {
        guard RequestCredentials.current != nil else { return nil }
        return try await principal()
    }

    func uuid(_ text: String, _ what: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw GantryError.notFound(what) }
        return id
    }
}
