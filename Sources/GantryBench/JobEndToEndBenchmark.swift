import ArgumentParser
import AsyncHTTPClient
import Foundation
import GantryCore
import GantryServer
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Jobs end to end (seed 003): N jobs of the no-op plugin container submitted to an in-process
/// Gantry with `--concurrency` workers, timed from the first submission until all have completed.
/// Baseline: as many `docker run --rm -i` of the same image with `{}` on stdin, with the same
/// limits and hardening Gantry gives job containers, `--concurrency` in flight.
struct JobEndToEndBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job-e2e", abstract: "Job throughput with the no-op plugin container vs plain docker run.")

    @Option(help: "Jobs (and docker runs) to time.") var jobs = 40
    @Option(help: "Jobs run at once (GANTRY_JOB_CONCURRENCY), and docker runs in flight.") var concurrency = 4
    @Option(help: "Plugin image: reads stdin, prints a JSON object.") var image = "gantry-test/plugin-noop:latest"
    @Option(help: "sqlite or postgres.") var database: BenchDatabaseKind = .sqlite
    @Option(help: "PostgreSQL server URL (default: GANTRY_TEST_POSTGRES_URL or the local gantry role).")
    var postgresURL: String?

    func run() async throws {
        let gantry = try await InProcessGantry.start(
            database: database, postgresURL: postgresURL,
            environment: [
                "GANTRY_JOB_CONCURRENCY": String(concurrency), "GANTRY_RATE_LIMIT_JOBS_PER_MINUTE": "0",
                "GANTRY_JOB_MAX_QUEUED": "100000",
            ])
        let result: (gantry: Double, docker: Double)
        do {
            result = try await measure(gantry)
        } catch {
            await gantry.stop()
            throw error
        }
        await gantry.stop()
        let gantryRate = Double(jobs) / result.gantry
        let dockerRate = Double(jobs) / result.docker
        print("job-e2e: \(jobs) jobs of \(image), concurrency \(concurrency), \(database.rawValue)")
        print(
            String(
                format:
                    "job-e2e: gantry %.2f jobs/s (%.2f s)   baseline docker run --rm -i: %.2f runs/s (%.2f s)   ratio %.2fx (gantry/docker, target >= 0.9)",
                gantryRate, result.gantry, dockerRate, result.docker, gantryRate / dockerRate))
    }

    func measure(_ gantry: InProcessGantry) async throws -> (gantry: Double, docker: Double) {
        var client = BenchClient(server: gantry.url)
        try await client.login(username: "admin", password: InProcessGantry.adminPassword)
        let (registered, body) = try await client.call(
            .POST, "/api/v1/plugins",
            json: [
                "name": "bench-noop", "version": "1.0.0", "docker_image_url": image,
                "resources": ["cpu": 0.5, "memory_mb": 64],
            ])
        guard registered == 201 else {
            throw BenchClient.Failure(description: "registering the plugin failed (\(registered)): \(body)")
        }
        // One of each first, untimed: the first container start pays for cold caches.
        _ = try await runThroughGantry(client, count: 1, alreadyFinished: 0)
        try await dockerRun()

        let gantrySeconds = try await runThroughGantry(client, count: jobs, alreadyFinished: 1)
        let dockerStart = ContinuousClock.now
        let image = self.image
        try await forEachConcurrently(jobs, width: concurrency) { _ in try await Self.dockerRun(image) }
        return (gantrySeconds, (ContinuousClock.now - dockerStart).seconds)
    }

    /// Submits `count` jobs, then polls the stats until they have all finished; fails when any failed.
    func runThroughGantry(_ client: BenchClient, count: Int, alreadyFinished: Int) async throws -> Double {
        let start = ContinuousClock.now
        try await forEachConcurrently(count, width: min(count, 8)) { _ in
            let (status, body) = try await client.call(
                .POST, "/api/v1/jobs", json: ["plugin_name": "bench-noop", "input_data": [String: Any]()])
            guard status == 202 else { throw BenchClient.Failure(description: "submit failed (\(status)): \(body)") }
        }
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline {
            let (_, stats) = try await client.call(.GET, "/api/v1/jobs/stats")
            let completed = stats["completed"] as? Int ?? 0
            let failed = stats["failed"] as? Int ?? 0
            if failed > 0 {
                let (_, dead) = try await client.call(.GET, "/api/v1/jobs?status=failed&limit=1")
                throw BenchClient.Failure(description: "\(failed) job(s) failed, e.g. \(dead)")
            }
            if completed >= alreadyFinished + count { return (ContinuousClock.now - start).seconds }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchClient.Failure(description: "jobs still unfinished after 600 s")
    }

    func dockerRun() async throws { try await Self.dockerRun(image) }

    /// `docker run --rm -i` with `{}` on stdin and the container settings Gantry uses for jobs
    /// (ContainerJobExecutor.containerSpec with the plugin's 0.5 CPU and 64 MB).
    static func dockerRun(_ image: String) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "docker", "run", "--rm", "-i", "--network", "none", "--cpus", "0.5", "--memory", "64m", "--pids-limit",
            "256", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--user", "65534:65534", "--read-only",
            "--tmpfs", "/tmp:rw,nosuid,nodev,size=64m", image,
        ]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            input.fileHandleForWriting.write(Data("{}".utf8))
            try? input.fileHandleForWriting.close()
        }
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard status == 0, printed.contains("{") else {
            let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw BenchClient.Failure(description: "docker run exited \(status), printed \(printed) \(complaint)")
        }
    }
}

/// A Gantry server in this process (GantryApplication.build, as `gantry serve` builds it) on a
/// free loopback port and a throwaway database, SSH gateway off, no GPUs, quiet logs.
struct InProcessGantry: Sendable {
    static let adminPassword = "bench-pass-1"

    let gantry: GantryApplication
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let url: String
    let scratch: ScratchDatabase

    static func start(
        database: BenchDatabaseKind, postgresURL: String?, environment extra: [String: String],
        runReconciler: Bool = true
    ) async throws -> InProcessGantry {
        let scratch = try ScratchDatabase.create(database, postgresURL: postgresURL)
        do {
            let port = try await freeLoopbackPort()
            var environment: [String: String] = [
                "GANTRY_DATA_DIR": scratch.directory,
                "GANTRY_HTTP_ADDR": "127.0.0.1:\(port)",
                "GANTRY_ADMIN_PASSWORD": adminPassword,
                "GANTRY_BCRYPT_COST": "4",
                "GANTRY_SSH_ADDR": "off",
                "GANTRY_NVIDIA_SMI": "/nonexistent/nvidia-smi",
                "GANTRY_NODE_ADDRESS": "127.0.0.1",
                "GANTRY_PUBLISH_ADDR": "127.0.0.1",
                "GANTRY_LOG_LEVEL": "warning",
                "GANTRY_LOG_FORMAT": "text",
            ]
            if let dockerHost = ProcessInfo.processInfo.environment["GANTRY_DOCKER_HOST"] {
                environment["GANTRY_DOCKER_HOST"] = dockerHost
            }
            if let url = scratch.postgresURL { environment["GANTRY_DATABASE_URL"] = url }
            environment.merge(extra) { _, new in new }
            let configuration = try GantryConfiguration.load(environment: environment)
            let logger = benchLogger("gantry-bench-server")
            let gantry = try await GantryApplication.build(
                configuration: configuration, logger: logger, runReconciler: runReconciler)
            // Its own service group, so that stopping is a graceful shutdown, as on SIGTERM.
            let group = ServiceGroup(configuration: .init(services: [gantry.application], logger: logger))
            let task = Task { try await group.run() }
            let server = InProcessGantry(
                gantry: gantry, group: group, task: task, url: "http://127.0.0.1:\(port)", scratch: scratch)
            guard await waitUntilAnswers(server.url + "/health", timeout: .seconds(30)) else {
                await server.stop()
                throw BenchClient.Failure(description: "the in-process Gantry did not answer on \(server.url)")
            }
            return server
        } catch {
            scratch.drop()
            throw error
        }
    }

    /// Runs `body` against a fresh in-process server and an HTTP client, then stops and removes both.
    static func withServer(
        database: BenchDatabaseKind, postgresURL: String?, environment: [String: String], runReconciler: Bool = true,
        client configuration: HTTPClient.Configuration = .init(),
        _ body: (InProcessGantry, HTTPClient) async throws -> Void
    ) async throws {
        let gantry = try await start(
            database: database, postgresURL: postgresURL, environment: environment, runReconciler: runReconciler)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await body(gantry, http)
        } catch {
            try? await http.shutdown()
            await gantry.stop()
            throw error
        }
        try? await http.shutdown()
        await gantry.stop()
    }

    /// Stops serving (the background services with it), closes the database, removes it.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await gantry.shutdown()
        scratch.drop()
    }
}

/// A loopback TCP port nothing listens on right now.
func freeLoopbackPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 0
    try await channel.close()
    guard port > 0 else { throw BenchClient.Failure(description: "no free loopback port") }
    return port
}
