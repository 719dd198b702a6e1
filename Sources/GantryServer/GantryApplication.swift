import AsyncHTTPClient
import DockerEngine
import Foundation
import GantryAPI
import GantryCore
import GantryOpenAPI
import GantryServices
import GantryStore
import Hummingbird
import Logging
import OpenAPIHummingbird
import ServiceLifecycle

/// The composition root: builds every adapter, service and edge from a validated configuration.
/// `gantry serve` and the tests both go through here.
public struct GantryApplication: Sendable {
    public let application: Application<RouterResponder<BasicRequestContext>>
    public let store: FluentStore
    public let services: APIServices
    public let reconciler: InstanceReconciler
    public let installationID: String
    /// The admin password when it was generated on this start; shown once.
    public let generatedAdminPassword: String?
    let httpClient: HTTPClient

    public static func build(
        configuration: GantryConfiguration, logger: Logger, runReconciler: Bool = true
    ) async throws -> GantryApplication {
        let location: DatabaseLocation
        if let url = configuration.databaseURL {
            location = .postgres(url: url)
        } else {
            try FileManager.default.createDirectory(
                atPath: configuration.dataDirectory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            location = .sqlite(path: (configuration.dataDirectory as NSString).appendingPathComponent("gantry.sqlite"))
        }
        logger.info("opening database", metadata: ["database": "\(location)"])
        let store = try await FluentStore.open(location, logger: logger)
        // A daemon that is down should be reported at once, not after connection retries.
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        do {
            return try await assemble(
                configuration: configuration, store: store, httpClient: httpClient, logger: logger,
                runReconciler: runReconciler)
        } catch {
            try? await httpClient.shutdown()
            await store.shutdown()
            throw error
        }
    }

    private static func assemble(
        configuration: GantryConfiguration, store: FluentStore, httpClient: HTTPClient, logger: Logger,
        runReconciler: Bool
    ) async throws -> GantryApplication {
        let installationID = try await store.settingSetIfAbsent("installation_id", value: SecretGenerator.hex(bytes: 8))
        let jwtSecret: String
        if let configured = configuration.jwtSecret {
            jwtSecret = configured
        } else {
            jwtSecret = try await store.settingSetIfAbsent("jwt_secret", value: SecretGenerator.hex(bytes: 32))
        }
        let docker = try DockerEngineClient(host: configuration.dockerHost, httpClient: httpClient, logger: logger)
        let runtimes = StaticRuntimeDirectory([configuration.nodeName: docker])
        let trigger = ReconcileTrigger()
        let instanceSettings = InstanceSettings(
            portRange: configuration.portRange, defaultQuota: configuration.defaultQuota,
            installationID: installationID, pidsLimit: configuration.containerPidsLimit,
            hostBindIP: configuration.publishAddress)
        let users = UserService(
            store: store, hasher: PasswordHasher(cost: UInt8(configuration.bcryptCost)),
            tokens: await AccessTokenIssuer(
                secret: jwtSecret, lifetime: TimeInterval(configuration.tokenLifetimeMinutes * 60)),
            defaultQuota: configuration.defaultQuota, logger: logger)
        let images = ImageService(store: store, logger: logger)
        let nodes = NodeService(
            store: store, runtimes: runtimes, cpuOvercommit: configuration.cpuOvercommit, logger: logger)
        let instances = InstanceService(
            store: store, runtimes: runtimes, settings: instanceSettings, trigger: trigger, logger: logger)
        let reconciler = InstanceReconciler(
            store: store, runtimes: runtimes, settings: instanceSettings, logger: logger)

        let generatedPassword = try await users.bootstrapAdmin(password: configuration.adminPassword)
        try await images.seedCatalogOnce()
        try await nodes.register(
            name: configuration.nodeName, endpoint: configuration.dockerHost,
            address: configuration.nodeAddress ?? HostAddress.detect())

        let services = APIServices(
            users: users, images: images, instances: instances, nodes: nodes,
            readiness: { await readinessChecks(store: store, engine: docker) }, openSignUp: configuration.openSignUp)
        let metrics = GantryMetrics(store: store, nodes: nodes)
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: CredentialsMiddleware())
        try APIHandler(services: services).registerHandlers(
            on: router, configuration: APIHandler.serverConfiguration)
        try OpenAPIDocumentRoutes().register(on: router)
        metrics.register(on: router)

        var background: [any Service] = []
        if runReconciler {
            background.append(
                ReconcilerService(
                    reconciler: reconciler, nodes: nodes, trigger: trigger,
                    interval: .milliseconds(Int(configuration.reconcileIntervalSeconds * 1000)),
                    maxConcurrentInstances: 16, logger: logger))
        }
        let application = Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "gantry"),
            services: background,
            logger: logger)
        return GantryApplication(
            application: application, store: store, services: services, reconciler: reconciler,
            installationID: installationID, generatedAdminPassword: generatedPassword, httpClient: httpClient)
    }

    /// Serves until SIGTERM or SIGINT, then releases the database and engine connections.
    public func run() async throws {
        do {
            try await application.runService()
        } catch {
            await shutdown()
            throw error
        }
        await shutdown()
    }

    public func shutdown() async {
        try? await httpClient.shutdown()
        await store.shutdown()
    }

    static func readinessChecks(store: any Store, engine: any ContainerRuntime) async -> [String: String] {
        async let database: String = {
            do {
                try await store.ping()
                return "ok"
            } catch {
                return "database unavailable: \(error)"
            }
        }()
        async let docker: String = {
            do {
                try await engine.ping()
                return "ok"
            } catch {
                return "\(error)"
            }
        }()
        return ["database": await database, "engine": await docker]
    }
}
