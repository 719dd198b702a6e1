import AsyncHTTPClient
import Foundation
import GantryCore
import GantryPorts
import GantryServices
import GantryStore
import GantryTestSupport
import Glibc
import NIOCore
import NIOHTTP1
import Testing

/// The issue's crash-safety requirement, with real processes: SIGKILL `gantry serve` while jobs
/// run, start it again on the same database, and every job ends terminal, none lost, none
/// completed twice.
@Suite("Jobs survive a SIGKILLed server")
struct JobCrashSafetyTests {
    static let jobCount = 12

    /// What job `index` runs: every third one echoes, the others sleep 2 or 3 s (long enough to
    /// be caught running by the kill, short enough to keep the test quick).
    static func plan(_ index: Int) -> (plugin: String, input: [String: Any]) {
        if index % 3 == 2 { return ("echo", ["n": index, "marker": "echo-\(index)"]) }
        return ("sleep", ["n": index, "seconds": 2 + index % 2])
    }

    @Test(
        "SIGKILL while jobs run, restart: every job terminal, none lost, none completed twice",
        arguments: DatabaseKind.allCases)
    func killedServerLosesAndRepeatsNothing(_ kind: DatabaseKind) async throws {
        let binary = EndToEndTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the gantry binary first: \(binary)")
        let database = try TestDatabase.create(kind)
        defer { database.drop() }
        let scenario = CrashScenario(binary: binary, database: database)
        do {
            try await scenario.run()
        } catch {
            await scenario.cleanUp()
            throw error
        }
        await scenario.cleanUp()
    }
}

/// The test's state, so the servers and containers are cleaned up however it ends.
private final class CrashScenario {
    let binary: String
    let database: TestDatabase
    let password = "crash-admin-pass-1"
    let clock = ContinuousClock()
    var servers: [ServeProcess] = []
    var installation: String?
    var jobIDs: [String] = []

    init(binary: String, database: TestDatabase) {
        self.binary = binary
        self.database = database
    }

    var location: DatabaseLocation {
        database.postgresURL.map { .postgres(url: $0) } ?? .sqlite(path: database.dataDirectory + "/gantry.sqlite")
    }

    func run() async throws {
        let started = clock.now
        let first = try await startServer()
        var admin = try await login(first)
        for (plugin, image) in [
            ("sleep", "gantry-test/plugin-sleep:latest"), ("echo", "gantry-test/plugin-echo:latest"),
        ] {
            let registered = try await first.call(
                .POST, "/api/v1/plugins", token: admin,
                json: [
                    "name": plugin, "version": "1.0.0", "docker_image_url": image, "timeout_seconds": 60,
                    "resources": ["cpu": 0.25, "memory_mb": 64],
                ])
            try #require(registered.status == 201, "registering \(plugin) failed: \(registered.text)")
        }
        var inputs: [String: (plugin: String, input: [String: Any])] = [:]
        for index in 0..<JobCrashSafetyTests.jobCount {
            let (plugin, input) = JobCrashSafetyTests.plan(index)
            let submitted = try await first.call(
                .POST, "/api/v1/jobs", token: admin, json: ["plugin_name": plugin, "input_data": input])
            try #require(submitted.status == 202, "submitting job \(index) failed: \(submitted.text)")
            let id = try #require(submitted.json["id"] as? String)
            jobIDs.append(id)
            inputs[id] = (plugin, input)
        }

        // Several attempts running, their containers up: kill the server with no chance to clean up.
        var running: [String] = []
        let caught = try await eventually(timeout: .seconds(20), every: .milliseconds(50)) {
            let processing = try await first.call(.GET, "/api/v1/jobs?status=processing&limit=100", token: admin)
            let ids = Set((processing.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            let containers = try await jobContainers()
            running = containers.filter { $0.status == .running }.compactMap { $0.labels[ContainerLabels.id] }
                .map { $0.lowercased() }.filter { ids.contains($0) }
            installation = installation ?? containers.first?.labels[ContainerLabels.installation]
            return running.count >= 2
        }
        try #require(caught, "never saw two jobs processing with running containers; \(first.logTail())")
        try await first.kill()
        let killedAt = clock.now
        // Looked at first, before anything slow: the sleeps last only 2 or 3 s.
        let stillRunning = try await jobContainers().filter { $0.status == .running }
        #expect(!stillRunning.isEmpty, "the killed server's job containers should outlive it")

        // What the database says was running at the kill (exact, unlike the listing just before it).
        let store = try await FluentStore.open(location, logger: TestEnvironment.logger)
        let orphaned: Set<String>
        do {
            let page = try await store.listJobs(
                JobFilter(status: .processing), skip: 0, limit: 100, withPayloads: false)
            orphaned = Set(page.items.map { $0.id.uuidString.lowercased() })
            installation = try await store.setting("installation_id") ?? installation
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
        try #require(orphaned.count >= 2, "expected at least two jobs processing at the kill, got \(orphaned)")

        // A new server on the same database and data directory takes over.
        let second = try await startServer()
        admin = try await login(second)
        var states: [String: [String: Any]] = [:]
        let settled = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
            for id in jobIDs where !Self.isTerminal(states[id]) {
                let reply = try await second.call(.GET, "/api/v1/jobs/\(id)", token: admin)
                states[id] = reply.json
            }
            return jobIDs.allSatisfy { Self.isTerminal(states[$0]) }
        }
        let recovered = clock.now - killedAt
        let pending = jobIDs.filter { !Self.isTerminal(states[$0]) }.map {
            "\($0): \(states[$0]?["status"] ?? "missing") attempts \(states[$0]?["attempts"] ?? "?")"
        }
        try #require(
            settled,
            "not every job reached a terminal state within 60 s of the restart: \(pending.joined(separator: "; "))\n\(second.logTail())"
        )

        for id in jobIDs {
            try await check(
                id, job: states[id] ?? [:], input: inputs[id], orphaned: orphaned.contains(id), on: second,
                token: admin)
        }

        // No job container of ours is left behind, running or not.
        var left: [ContainerObservation] = []
        let clean = try await eventually(timeout: .seconds(10), every: .milliseconds(200)) {
            left = try await jobContainers()
            return left.isEmpty
        }
        #expect(
            clean,
            "job containers left: \(left.map { "\($0.name) \($0.status.rawValue) \($0.labels[ContainerLabels.id] ?? "")" })"
        )

        // A clean stop, then the whole event log straight from the database: exactly one terminal
        // status event per job, and exactly one `completed` per completed job.
        try await second.stop()
        try await checkEventLog(states)
        print(
            "JobCrashSafety[\(database.kind.rawValue)]: \(orphaned.count) jobs processing at the kill, all \(jobIDs.count)"
                + " terminal \(recovered) after it, \(clock.now - started) in all")
    }

    static func isTerminal(_ job: [String: Any]?) -> Bool {
        let status = job?["status"] as? String
        return status == "completed" || status == "failed"
    }

    /// One job after the restart: present, completed with its own result, one successful attempt,
    /// a `worker_lost` attempt exactly when it was running at the kill, and a consistent event stream.
    func check(
        _ id: String, job: [String: Any], input: (plugin: String, input: [String: Any])?, orphaned: Bool,
        on server: ServeProcess, token: String
    ) async throws {
        let fetched = try await server.call(.GET, "/api/v1/jobs/\(id)", token: token)
        #expect(fetched.status == 200, "job \(id) is lost: \(fetched.status) \(fetched.text)")
        let input = try #require(input)
        #expect(job["status"] as? String == "completed", "job \(id) (\(input.plugin)) did not complete: \(job)")
        let history = job["attempt_history"] as? [[String: Any]] ?? []
        #expect(job["attempts"] as? Int == history.count, "job \(id): attempts and history disagree: \(job)")
        let successes = history.filter { $0["error_code"] == nil }
        #expect(successes.count <= 1, "job \(id) has more than one successful attempt: \(history)")
        if job["status"] as? String == "completed" {
            #expect(successes.count == 1, "completed job \(id) has no successful attempt: \(history)")
            #expect(history.last?["error_code"] == nil, "job \(id): the successful attempt is not the last: \(history)")
            let result = job["result"] as? [String: Any] ?? [:]
            if input.plugin == "echo" {
                #expect(result["n"] as? Int == input.input["n"] as? Int, "echo job \(id) result: \(result)")
                #expect(result["marker"] as? String == input.input["marker"] as? String, "echo job \(id): \(result)")
            } else {
                #expect(result["slept"] as? Bool == true, "sleep job \(id) result: \(result)")
            }
        }
        let lost = history.filter { $0["error_code"] as? String == "worker_lost" }
        if orphaned {
            #expect(lost.count == 1, "job \(id) was running at the kill but has no worker_lost attempt: \(history)")
        } else {
            #expect(lost.isEmpty, "job \(id) was not running at the kill but lost its worker: \(history)")
        }

        // The API's event stream: replays up to the terminal event, then ends.
        let stream = try await server.call(.GET, "/api/v1/jobs/\(id)/events", token: token)
        #expect(stream.status == 200, "events of \(id): \(stream.status) \(stream.text)")
        let events = stream.text.split(separator: "\n").filter { $0.hasPrefix("data: ") }
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.dropFirst(6).utf8)) as? [String: Any] }
            .filter { $0["kind"] as? String == "status" }
        let statuses = events.compactMap { $0["status"] as? String }
        #expect(statuses.first == "queued", "job \(id) events: \(statuses)")
        #expect(statuses.last == job["status"] as? String, "job \(id) events end elsewhere: \(statuses)")
        #expect(statuses.filter { $0 == "completed" }.count <= 1, "job \(id) completed twice: \(statuses)")
        if orphaned {
            #expect(
                events.contains { ($0["message"] as? String ?? "").hasPrefix("worker_lost") },
                "job \(id): no worker_lost event: \(events)")
        }
    }

    /// Every event of every job, read from the database (the stream stops at the first terminal one).
    func checkEventLog(_ states: [String: [String: Any]]) async throws {
        let store = try await FluentStore.open(location, logger: TestEnvironment.logger)
        do {
            let all = try await store.listJobs(JobFilter(), skip: 0, limit: 1000, withPayloads: false)
            #expect(all.total == jobIDs.count, "the database holds \(all.total) jobs, \(jobIDs.count) submitted")
            for id in jobIDs {
                let uuid = try #require(UUID(uuidString: id))
                let events = try await store.jobEvents(jobID: uuid, after: 0).filter { $0.kind == .status }
                let terminal = events.filter { $0.status.isTerminal }
                let completed = events.filter { $0.status == .completed }
                let summary = events.map { "\($0.status.rawValue)@\($0.attempt)" }
                #expect(terminal.count == 1, "job \(id) has \(terminal.count) terminal events: \(summary)")
                let expected = states[id]?["status"] as? String == "completed" ? 1 : 0
                #expect(completed.count == expected, "job \(id) has \(completed.count) completed events: \(summary)")
                #expect(events.last?.status.isTerminal == true, "job \(id): events after its end: \(summary)")
            }
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }

    // MARK: Processes and containers

    func startServer() async throws -> ServeProcess {
        let port = try FreePorts.ephemeral()
        let (portStart, portEnd) = TestEnvironment.portRange()
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GANTRY_") }
        environment.merge(TestEnvironment.serverDefaults) { _, new in new }
        environment.merge([
            "GANTRY_DATA_DIR": database.dataDirectory, "GANTRY_HTTP_ADDR": "127.0.0.1:\(port)",
            "GANTRY_ADMIN_PASSWORD": password, "GANTRY_DOCKER_HOST": TestEnvironment.dockerHost,
            "GANTRY_NODE_ADDRESS": "127.0.0.1", "GANTRY_PUBLISH_ADDR": "127.0.0.1",
            "GANTRY_PORT_RANGE_START": "\(portStart)", "GANTRY_PORT_RANGE_END": "\(portEnd)",
            "GANTRY_RECONCILE_INTERVAL": "0.5", "GANTRY_BCRYPT_COST": "4", "GANTRY_SSH_ADDR": "off",
            "GANTRY_JOB_LEASE": "3s", "GANTRY_JOB_CHECK_INTERVAL": "500ms", "GANTRY_JOB_BACKOFF": "200ms",
            "GANTRY_RATE_LIMIT_JOBS_PER_MINUTE": "0", "GANTRY_JOB_CONCURRENCY": "4",
        ]) { _, new in new }
        if let url = database.postgresURL { environment["GANTRY_DATABASE_URL"] = url }
        let server = try ServeProcess(
            binary: binary, environment: environment, port: port,
            log: database.dataDirectory + "/serve-\(servers.count + 1).log")
        servers.append(server)
        try await server.waitUntilServing()
        return server
    }

    func login(_ server: ServeProcess) async throws -> String {
        let reply = try await server.call(
            .POST, "/api/v1/auth/token", json: ["username": "admin", "password": password])
        return try #require(reply.json["access_token"] as? String, "login failed: \(reply.status) \(reply.text)")
    }

    /// This test's job containers (its job ids), whatever their state.
    func jobContainers() async throws -> [ContainerObservation] {
        let ours = Set(jobIDs.map { $0.uppercased() })
        return try await withDocker { try await $0.listContainers(labels: [ContainerLabels.kind: "job"]) }
            .filter { ours.contains($0.labels[ContainerLabels.id] ?? "") }
    }

    func cleanUp() async {
        for server in servers { try? await server.kill() }
        if let installation { await removeContainers(installation: installation) }
        for container in (try? await jobContainers()) ?? [] {
            _ = try? await withDocker { try await $0.removeContainer(id: container.id) }
        }
    }
}

/// One `gantry serve` child process, logging to a file.
private final class ServeProcess {
    let process = Process()
    let baseURL: String
    let logPath: String
    private let logHandle: FileHandle

    init(binary: String, environment: [String: String], port: Int, log: String) throws {
        baseURL = "http://127.0.0.1:\(port)"
        logPath = log
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve"]
        process.environment = environment
        process.standardOutput = logHandle
        process.standardError = logHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    func waitUntilServing() async throws {
        let up = try await eventually(timeout: .seconds(30)) {
            guard process.isRunning else { return true }
            return await fetch("\(baseURL)/health") != nil
        }
        try #require(up && process.isRunning, "gantry serve did not come up: \(logTail())")
    }

    /// SIGKILL: no shutdown, no lease hand-back, containers left as they are.
    func kill() async throws {
        guard process.isRunning else { return }
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        let gone = try await eventually(timeout: .seconds(10), every: .milliseconds(20)) { !process.isRunning }
        try #require(gone, "gantry serve survived SIGKILL")
        try? logHandle.close()
    }

    /// SIGTERM, expecting a clean exit.
    func stop() async throws {
        guard process.isRunning else { return }
        process.terminate()
        let stopped = try await eventually(timeout: .seconds(15)) { !process.isRunning }
        #expect(stopped, "gantry serve did not exit on SIGTERM: \(logTail())")
        if stopped {
            #expect(process.terminationStatus == 0, "gantry serve exited with \(process.terminationStatus)")
        }
        try? logHandle.close()
    }

    /// The end of the server's log, without the request lines.
    func logTail(lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        let kept = text.split(separator: "\n").filter { !$0.contains("\"msg\":\"Request\"") }.suffix(lines)
        return "last lines of \(logPath) (requests left out):\n" + kept.joined(separator: "\n")
    }

    struct Reply {
        let status: Int
        let body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func call(_ method: HTTPMethod, _ path: String, token: String? = nil, json: Any? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
        let body = try await response.body.collect(upTo: 4 << 20)
        return Reply(status: Int(response.status.code), body: Data(buffer: body))
    }
}
