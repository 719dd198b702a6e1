import AsyncHTTPClient
import DockerEngine
import Foundation
import GantryAPI
import GantryCore
import GantryDashboard
import GantryEdge
import GantryOpenAPI
import GantryPorts
import GantryServices
import GantryStore
import Hummingbird
import Logging
import NvidiaSMI
import OpenAPIHummingbird
import SSHGateway
import ServiceLifecycle

/// The composition root: builds every adapter, service and edge from a validated configuration.
/// `gantry serve` and the tests both go through here.
public struct GantryApplication: Sendable {
    public let application: Application<RouterResponder<BasicRequestContext>>
    public let store: FluentStore
    public let services: EdgeServices
    public let reconciler: WorkloadReconciler
    public let installationID: String
    /// nil when `GANTRY_SSH_ADDR=off`.
    public let sshGateway: SSHGateway?
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
        let legacy = LegacyContainerDefaults(
            pidsLimit: configuration.containerPidsLimit, hostBindIP: configuration.publishAddress,
            sessionNetwork: configuration.sessionNetwork, sessionGPUAttach: configuration.gpuAttach)
        let store = try await FluentStore.open(location, legacy: legacy, logger: logger)
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

        let generatedPassword = try await users.bootstrapAdmin(password: configuration.adminPassword)
        try await images.seedCatalogOnce()
        let nodeAddress = configuration.nodeAddress ?? HostAddress.detect()
        try await nodes.register(name: configuration.nodeName, endpoint: configuration.dockerHost, address: nodeAddress)

        let gpus = GPUService(
            store: store,
            source: NvidiaSMIInventorySource(
                executablePath: resolveExecutable(configuration.nvidiaSMIPath), logger: logger),
            localNode: configuration.nodeName, logger: logger)
        do {
            try await gpus.refresh()
        } catch {
            logger.warning("reading the GPU inventory failed; retrying later", metadata: ["error": "\(error)"])
        }
        let dataDirectory = URL(fileURLWithPath: configuration.dataDirectory).standardizedFileURL.path
        let sessionSettings = SessionSettings(
            defaultImage: configuration.sessionImage, defaultCPU: configuration.sessionCPU,
            defaultMemoryMB: configuration.sessionMemoryMB,
            defaultTTLMinutes: configuration.sessionDefaultTTLMinutes,
            maxTTLMinutes: configuration.sessionMaxTTLMinutes,
            workspaceRoot: configuration.workspaceRoot.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
                ?? (dataDirectory as NSString).appendingPathComponent("workspaces"),
            network: configuration.sessionNetwork, gpuAttach: configuration.gpuAttach,
            selfService: configuration.sessionSelfService, firstPosixUID: configuration.sessionFirstUID,
            sshHost: configuration.sshPublicHost ?? nodeAddress,
            sshPort: configuration.sshPublicPort ?? configuration.sshPort,
            sshTTLGrace: configuration.sshTTLGraceSeconds,
            userImageRegistries: configuration.sessionUserImageRegistries)
        let sessions = SessionService(
            store: store, runtimes: runtimes, workspaces: LocalWorkspaceProvisioner(), settings: sessionSettings,
            instanceSettings: instanceSettings, trigger: trigger, logger: logger)
        let sshKeys = SSHKeyService(store: store, logger: logger)
        let metrics = GantryMetrics(store: store, nodes: nodes)

        let jobSettings = jobSettings(configuration, installationID: installationID)
        let reconciler = WorkloadReconciler(
            store: store, runtimes: runtimes,
            instances: InstanceDriver(store: store, runtimes: runtimes, settings: instanceSettings, logger: logger),
            sessions: sessions, installationID: installationID, jobs: jobSettings,
            policy: ReconcilePolicy(
                danglingGrace: configuration.danglingGraceSeconds,
                sessionCreationTimeout: sessionSettings.creationTimeout),
            logger: logger)
        let jobMetrics = JobPrometheusMetrics(registry: metrics.registry)
        let schemas = JobSchemaCache()
        let jobSignal = JobQueueSignal()
        let jobRuns = JobRunRegistry()
        let plugins = PluginService(store: store, settings: jobSettings, schemas: schemas, logger: logger)
        let jobs = JobService(
            store: store, settings: jobSettings, schemas: schemas, signal: jobSignal, runs: jobRuns,
            metrics: jobMetrics,
            logger: logger)
        let jobWorkers = JobWorkerPool(
            store: store, executor: ContainerJobExecutor(runtimes: runtimes, settings: jobSettings, logger: logger),
            runtimes: runtimes, settings: jobSettings, schemas: schemas, signal: jobSignal, registry: jobRuns,
            metrics: jobMetrics, logger: logger)

        let services = EdgeServices(
            users: users, images: images, instances: instances, nodes: nodes, sessions: sessions, gpus: gpus,
            sshKeys: sshKeys, plugins: plugins, jobs: jobs,
            readiness: { await readinessChecks(store: store, engine: docker) }, openSignUp: configuration.openSignUp)
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware())
        let routeMethods = RouteMethods()
        router.add(middleware: MethodNotAllowedMiddleware(routes: routeMethods))
        router.add(middleware: CredentialsMiddleware())
        router.add(middleware: RequestBodyLimitMiddleware(limits: Self.bodyLimits(configuration)))
        let documentRoutes = try OpenAPIDocumentRoutes()
        router.add(
            middleware: JSONRequestBodyMiddleware(fields: DeclaredRequestFields(openAPI: documentRoutes.document)))
        router.add(middleware: NumberLiteralMiddleware())
        router.add(middleware: InstanceListRoute(services: services))
        try APIHandler(services: services).registerHandlers(
            on: router, configuration: APIHandler.serverConfiguration)
        documentRoutes.register(on: router)
        let webSessions = WebSessionService(
            store: store, users: users, lifetime: configuration.dashboardSessionSeconds, logger: logger)
        try Dashboard(
            services: services, webSessions: webSessions,
            settings: DashboardSettings(
                demoMode: configuration.demoMode, secureCookies: configuration.secureCookies,
                rayDashboardURL: configuration.rayDashboardURL, version: GantryVersion.current),
            logger: logger
        ).register(on: router)
        // People who open the server's address land on the dashboard.
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/dashboard"]) }
        metrics.register(on: router)
        routeMethods.load(router.routes)

        var gateway: SSHGateway?
        if let sshHost = configuration.sshHost {
            let encodedKey = try await store.settingSetIfAbsent(
                "ssh_host_key_ed25519", value: SSHHostKey.generate().encoded)
            let hostKey = try SSHHostKey(encoded: encodedKey)
            gateway = SSHGateway(
                configuration: SSHGatewayConfiguration(
                    host: sshHost, port: configuration.sshPort, hostKey: hostKey,
                    idleTimeout: .milliseconds(Int(configuration.sshIdleTimeoutSeconds * 1000)),
                    loginGraceTime: .milliseconds(Int(configuration.sshLoginGraceSeconds * 1000)),
                    startups: configuration.sshStartups,
                    targetKeepAliveInterval: .milliseconds(
                        Int(min(60, max(1, configuration.sshTTLGraceSeconds / 4)) * 1000))),
                access: ShellAccessService(store: store, runtimes: runtimes, sessions: sessions, logger: logger),
                metrics: SSHGatewayPrometheusMetrics(registry: metrics.registry), logger: logger)
        }

        var background: [any Service] = []
        if let gateway { background.append(SSHGatewayService(gateway: gateway)) }
        if runReconciler {
            background.append(
                GPUInventoryRefreshService(
                    gpus: gpus, interval: .milliseconds(Int(configuration.gpuRefreshSeconds * 1000)), logger: logger))
            background.append(
                ReconcilerService(
                    reconciler: reconciler, nodes: nodes, trigger: trigger,
                    interval: .milliseconds(Int(configuration.reconcileIntervalSeconds * 1000)),
                    maxConcurrentActions: 16, logger: logger))
            background.append(JobWorkerService(pool: jobWorkers))
        }
        let application = Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "gantry"),
            services: background,
            logger: logger)
        return GantryApplication(
            application: application, store: store, services: services, reconciler: reconciler,
            installationID: installationID, sshGateway: gateway,
            generatedAdminPassword: generatedPassword, httpClient: httpClient)
    }

    /// Every route's body limit: small by default; job submissions get the input limit plus room
    /// for the envelope (the service checks the input itself), the dashboard's job form three
    /// times that (percent-encoding), plugin manifests their own.
    public static func bodyLimits(_ configuration: GantryConfiguration) -> RequestBodyLimits {
        let input = configuration.jobMaxInputBytes
        let manifest = configuration.httpMaxManifestBytes
        let jobDetail = "job input is limited to \(input) bytes"
        let manifestDetail = "a plugin manifest is limited to \(manifest) bytes"
        return RequestBodyLimits(
            defaultLimit: configuration.httpMaxBodyBytes,
            rules: [
                .init(prefix: "/api/v1/jobs", limit: input + 64 * 1024, code: "input_too_large", detail: jobDetail),
                .init(
                    prefix: "/dashboard/jobs", limit: 3 * input + 64 * 1024, code: "input_too_large", detail: jobDetail),
                .init(prefix: "/api/v1/plugins", limit: manifest, code: "manifest_too_large", detail: manifestDetail),
                .init(
                    prefix: "/dashboard/plugins", limit: 3 * manifest, code: "manifest_too_large",
                    detail: manifestDetail),
            ])
    }

    static func jobSettings(_ configuration: GantryConfiguration, installationID: String) -> JobSettings {
        let check = Duration.milliseconds(Int64(configuration.jobCheckIntervalSeconds * 1000))
        return JobSettings(
            concurrency: configuration.jobConcurrency,
            retry: JobRetryPolicy(
                maxRetries: configuration.jobMaxRetries,
                baseDelay: .milliseconds(Int64(configuration.jobBackoffSeconds * 1000))),
            queueTTL: .milliseconds(Int64(configuration.jobQueueTTLSeconds * 1000)),
            maxQueued: configuration.jobMaxQueued,
            rateLimitPerMinute: configuration.jobRateLimitPerMinute == 0 ? nil : configuration.jobRateLimitPerMinute,
            maxInputBytes: configuration.jobMaxInputBytes,
            lease: .milliseconds(Int64(configuration.jobLeaseSeconds * 1000)),
            pollInterval: min(check, .seconds(1)), housekeepingInterval: check, node: configuration.nodeName,
            installation: installationID, defaultTimeoutSeconds: Int(configuration.jobDefaultTimeoutSeconds))
    }

    /// A bare name is looked up on PATH, as a shell would; a path is used as given.
    static func resolveExecutable(_ name: String) -> String {
        guard !name.contains("/") else { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = (String(directory) as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/\(name)"
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
