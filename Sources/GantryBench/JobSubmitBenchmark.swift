import ArgumentParser
import AsyncHTTPClient
import Foundation
import GantryCore
import NIOCore
import NIOHTTP1

/// Job submission latency (seed 003): `POST /api/v1/jobs` with the classifier's example input,
/// checked against its input schema, under `--connections` concurrent connections against an
/// in-process Gantry that runs no jobs. Baselines under the same load: `GET /health` (no
/// authentication, no database) and `GET /api/v1/users/me` (the same authentication, one read).
struct JobSubmitBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job-submit", abstract: "POST /api/v1/jobs latency vs GET /health under concurrent load.")

    @Option(help: "Requests of each kind.") var requests = 2000
    @Option(help: "Concurrent connections (each sends its next request when the last is answered).")
    var connections = 32
    @Option(help: "Users the connections submit as, round robin (each user's submissions serialise on PostgreSQL).")
    var users = 1
    @Option(help: "Untimed requests of each kind first.") var warmup = 200
    @Option(help: "sqlite or postgres.") var database: BenchDatabaseKind = .sqlite
    @Option(help: "PostgreSQL server URL (default: GANTRY_TEST_POSTGRES_URL or the local gantry role).")
    var postgresURL: String?

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        try await InProcessGantry.withServer(
            database: database, postgresURL: postgresURL,
            environment: [
                "GANTRY_JOB_CONCURRENCY": "0", "GANTRY_RATE_LIMIT_JOBS_PER_MINUTE": "0",
                "GANTRY_JOB_MAX_QUEUED": "1000000",
            ],
            client: configuration, measure)
    }

    func measure(_ gantry: InProcessGantry, http: HTTPClient) async throws {
        var client = BenchClient(server: gantry.url)
        try await client.login(username: "admin", password: InProcessGantry.adminPassword)
        guard let token = client.token,
            let schema = try JSONSerialization.jsonObject(with: Data(Seed003.inputSchema.utf8)) as? [String: Any]
        else { throw BenchClient.Failure(description: "no token or schema") }
        let (registered, body) = try await client.call(
            .POST, "/api/v1/plugins",
            json: [
                "name": "classifier", "version": "1.0.0", "docker_image_url": "gantry-test/plugin-noop:latest",
                "input_schema": schema, "resources": ["cpu": 0.5, "memory_mb": 128],
            ])
        guard registered == 201 else {
            throw BenchClient.Failure(description: "registering the plugin failed (\(registered)): \(body)")
        }

        var tokens = [token]
        for index in 1..<max(users, 1) {
            tokens.append(try await addUser(client, name: "bench\(index)"))
        }
        let submit = tokens.map {
            LoadRequest(
                method: .POST, url: gantry.url + "/api/v1/jobs", token: $0,
                body: #"{"plugin_name":"classifier","input_data":"# + Seed003.exampleInput + "}", expect: 202)
        }
        let health = [LoadRequest(method: .GET, url: gantry.url + "/health", token: nil, body: nil, expect: 200)]
        let me = tokens.map {
            LoadRequest(method: .GET, url: gantry.url + "/api/v1/users/me", token: $0, body: nil, expect: 200)
        }
        for request in [health, me, submit] {
            _ = try await load(request, count: warmup, http: http)
        }
        // Baselines on either side of the submissions, so drift hits all alike.
        let healthResult = try await load(health, count: requests, http: http)
        let submitResult = try await load(submit, count: requests, http: http)
        let meResult = try await load(me, count: requests, http: http)

        print(
            "job-submit: \(requests) requests each, \(connections) connections, \(users) user(s), \(database.rawValue), "
                + "queue \(warmup) → \(warmup + requests) jobs during the submissions")
        print(
            String(
                format: "job-submit: POST /api/v1/jobs      p50 %6.2f ms  p99 %6.2f ms  %6.0f req/s",
                submitResult.p50, submitResult.p99, submitResult.perSecond))
        for (label, baseline) in [("GET /health        ", healthResult), ("GET /api/v1/users/me", meResult)] {
            print(
                String(
                    format:
                        "job-submit: baseline %@  p50 %6.2f ms  p99 %6.2f ms  %6.0f req/s   ratio (POST/baseline) p50 %.2fx  p99 %.2fx",
                    label, baseline.p50, baseline.p99, baseline.perSecond, submitResult.p50 / baseline.p50,
                    submitResult.p99 / baseline.p99))
        }
    }

    /// Creates a user through the API (admin) and returns their token.
    func addUser(_ admin: BenchClient, name: String) async throws -> String {
        let password = "bench-\(name)-pass"
        let (created, body) = try await admin.call(
            .POST, "/api/v1/users", json: ["email": "\(name)@example.com", "username": name, "password": password])
        guard created == 201 else { throw BenchClient.Failure(description: "creating \(name) failed: \(body)") }
        var client = BenchClient(server: admin.server)
        try await client.login(username: name, password: password)
        return client.token ?? ""
    }

    /// `count` requests over `connections` closed-loop clients; client i sends `requests[i % count]`.
    func load(_ requests: [LoadRequest], count: Int, http: HTTPClient) async throws -> LoadResult {
        let width = max(1, min(connections, count))
        let start = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for client in 0..<width {
                let share = count / width + (client < count % width ? 1 : 0)
                let request = requests[client % requests.count]
                group.addTask {
                    var latencies: [Double] = []
                    latencies.reserveCapacity(share)
                    for _ in 0..<share { latencies.append(try await request.send(on: http)) }
                    return latencies
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
        return LoadResult(latencies: latencies, seconds: (ContinuousClock.now - start).seconds)
    }
}

/// One request of a load, built afresh for each send.
struct LoadRequest: Sendable {
    let method: HTTPMethod
    let url: String
    let token: String?
    let body: String?
    let expect: Int
    /// A `Cookie` header (the dashboard's session), when set.
    var cookie: String? = nil

    /// Sends it and reads the whole answer; returns the seconds it took.
    func send(on http: HTTPClient) async throws -> Double {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let start = ContinuousClock.now
        let response = try await http.execute(request, timeout: .seconds(60))
        let answer = try await response.body.collect(upTo: 1 << 20)
        let elapsed = (ContinuousClock.now - start).seconds
        guard Int(response.status.code) == expect else {
            throw BenchClient.Failure(
                description: "\(method) \(url): \(response.status.code) \(String(buffer: answer))")
        }
        return elapsed
    }
}

struct LoadResult {
    let latencies: [Double]
    let seconds: Double

    init(latencies: [Double], seconds: Double) {
        self.latencies = latencies.sorted()
        self.seconds = seconds
    }

    var perSecond: Double { Double(latencies.count) / seconds }
    /// In milliseconds.
    var p50: Double { percentile(0.50) }
    var p99: Double { percentile(0.99) }

    func percentile(_ fraction: Double) -> Double {
        guard !latencies.isEmpty else { return .nan }
        let rank = Int((fraction * Double(latencies.count)).rounded(.up)) - 1
        return latencies[min(max(rank, 0), latencies.count - 1)] * 1000
    }
}

/// Seed 003's classifier (plugins/classifier/plugin.json): its input schema and example input.
enum Seed003 {
    static let inputSchema = """
        {"type":"object","properties":{"features":{"type":"array","items":{"type":"number"},"minItems":1,\
        "description":"Feature vector (any length, at least one number)"},"model_params":{"type":"object",\
        "properties":{"threshold":{"type":"number","minimum":0,"maximum":1,"description":\
        "Probability of class_A at or above which class_A is predicted (default 0.5)"}}}},"required":["features"]}
        """
    static let exampleInput = #"{"features":[1.0,2.5,3.0],"model_params":{"threshold":0.5}}"#
}
