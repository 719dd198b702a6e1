import ArgumentParser
import AsyncHTTPClient
import Foundation
import GantryCore
import GantryServer
import GantryStore
import NIOCore
import NIOHTTP1

/// Server render time of the dashboard (issue 5): the instances page with 100 instances and the
/// overview, signed in as the admin, one request at a time against an in-process Gantry (no
/// reconciler, so the seeded instances stay as written). Baselines in the same run: the same
/// 100 instances as JSON (`GET /api/v1/instances?limit=100`) and `GET /health`.
struct DashboardRenderBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard-render", abstract: "Dashboard page render times vs the JSON API.")

    @Option(help: "Instances on the page.") var instances = 100
    @Option(help: "Timed requests of each kind.") var requests = 500
    @Option(help: "Untimed requests of each kind first.") var warmup = 50
    @Option(help: "sqlite or postgres.") var database: BenchDatabaseKind = .sqlite
    @Option(help: "PostgreSQL server URL (default: GANTRY_TEST_POSTGRES_URL or the local gantry role).")
    var postgresURL: String?

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        try await InProcessGantry.withServer(
            database: database, postgresURL: postgresURL,
            environment: [
                "GANTRY_JOB_CONCURRENCY": "0", "GANTRY_DEFAULT_QUOTA_INSTANCES": "100000",
                "GANTRY_DEFAULT_QUOTA_CPU": "100000", "GANTRY_DEFAULT_QUOTA_MEMORY_MB": "100000000",
            ],
            runReconciler: false, client: configuration, measure)
    }

    func measure(_ gantry: InProcessGantry, http: HTTPClient) async throws {
        var client = BenchClient(server: gantry.url)
        try await client.login(username: "admin", password: InProcessGantry.adminPassword)
        guard let token = client.token else { throw BenchClient.Failure(description: "no token") }
        try await seed(gantry)
        let cookie = try await signIn(gantry.url, http: http)

        let page = LoadRequest(
            method: .GET, url: gantry.url + "/dashboard/instances", token: nil, body: nil, expect: 200, cookie: cookie)
        let overview = LoadRequest(
            method: .GET, url: gantry.url + "/dashboard", token: nil, body: nil, expect: 200, cookie: cookie)
        let json = LoadRequest(
            method: .GET, url: gantry.url + "/api/v1/instances?limit=\(instances)", token: token, body: nil,
            expect: 200)
        let health = LoadRequest(method: .GET, url: gantry.url + "/health", token: nil, body: nil, expect: 200)
        let rendered = try await page.body(on: http)
        let rows = rendered.components(separatedBy: "data-row-id=").count - 1
        guard rows == instances else {
            throw BenchClient.Failure(description: "the instances page shows \(rows) rows, expected \(instances)")
        }

        var results: [String: LoadResult] = [:]
        var serverTimes: [String: (total: LoadResult, render: LoadResult)] = [:]
        for (name, request) in [("health", health), ("json", json), ("instances", page), ("overview", overview)] {
            for _ in 0..<warmup { _ = try await request.timed(on: http) }
            var latencies: [Double] = []
            var totals: [Double] = []
            var renders: [Double] = []
            let start = ContinuousClock.now
            for _ in 0..<requests {
                let (seconds, timing) = try await request.timed(on: http)
                latencies.append(seconds)
                if let total = timing["total"] { totals.append(total) }
                if let render = timing["render"] { renders.append(render) }
            }
            let seconds = (ContinuousClock.now - start).seconds
            results[name] = LoadResult(latencies: latencies, seconds: seconds)
            serverTimes[name] = (
                LoadResult(latencies: totals, seconds: seconds), LoadResult(latencies: renders, seconds: seconds)
            )
        }
        guard let pageResult = results["instances"], let overviewResult = results["overview"],
            let jsonResult = results["json"], let healthResult = results["health"]
        else { return }
        print(
            "dashboard-render: \(requests) sequential requests each, \(instances) instances, \(database.rawValue), "
                + "page \(rendered.utf8.count / 1024) KiB")
        print("dashboard-render: server time (Server-Timing: the page's handler, queries and template on the server)")
        var met = true
        for (label, key) in [("GET /dashboard/instances   ", "instances"), ("GET /dashboard (overview)  ", "overview")]
        {
            guard let times = serverTimes[key], !times.total.latencies.isEmpty else { continue }
            met = met && times.total.p99 < 20
            print(
                String(
                    format:
                        "dashboard-render: %@ total p50 %6.2f ms  p99 %6.2f ms   template p50 %5.2f ms  p99 %5.2f ms",
                    label, times.total.p50, times.total.p99, times.render.p50, times.render.p99))
        }
        print("dashboard-render: seen by the client (loopback HTTP, whole body read)")
        for (label, result) in [
            ("GET /dashboard/instances   ", pageResult), ("GET /dashboard (overview)  ", overviewResult),
        ] {
            print(
                String(
                    format: "dashboard-render: %@ p50 %6.2f ms  p99 %6.2f ms   vs JSON p50 %.2fx  p99 %.2fx",
                    label, result.p50, result.p99, result.p50 / jsonResult.p50, result.p99 / jsonResult.p99))
        }
        print(
            String(
                format: "dashboard-render: baseline GET /api/v1/instances?limit=%d p50 %6.2f ms  p99 %6.2f ms",
                instances, jsonResult.p50, jsonResult.p99))
        print(
            String(
                format: "dashboard-render: baseline GET /health                   p50 %6.2f ms  p99 %6.2f ms",
                healthResult.p50, healthResult.p99))
        print("dashboard-render: target server p99 < 20 ms: \(met ? "met" : "MISSED")")
    }

    /// Writes running instances straight to the store (no containers), as the reconciler would leave them.
    func seed(_ server: InProcessGantry) async throws {
        let store = server.gantry.store
        guard let admin = try await store.user(usernameOrEmail: "admin") else {
            throw BenchClient.Failure(description: "no admin user")
        }
        for index in 0..<instances {
            let id = UUID()
            let image = CatalogImage(
                name: "httpd", displayName: "httpd", reference: "gantry-test/httpd:latest", port: 8080, description: "")
            _ = try await store.reserveInstance(ownerID: admin.id) { _ in
                Instance(
                    id: id, name: "web-\(index)", ownerID: admin.id, image: image.name, imageReference: image.reference,
                    containerPort: image.port, cpu: 0.25, memoryMB: 128, state: .running, node: "local",
                    hostIP: "127.0.0.1", hostPort: 20_000 + index, containerID: "bench-\(index)",
                    template: .forInstance(
                        id: id, name: "web-\(index)", image: image, pidsLimit: 512, hostBindIP: "127.0.0.1"))
            }
        }
    }

    /// Signs in through the dashboard's form and returns the session cookie.
    func signIn(_ server: String, http: HTTPClient) async throws -> String {
        let form = try await http.execute(HTTPClientRequest(url: server + "/dashboard/login"), timeout: .seconds(10))
        let html = String(buffer: try await form.body.collect(upTo: 1 << 20))
        guard let loginCookie = form.headers["Set-Cookie"].first(where: { $0.hasPrefix("gantry_login_csrf=") }),
            let range = html.range(of: #"name="_csrf" value=""#),
            let end = html[range.upperBound...].firstIndex(of: "\"")
        else { throw BenchClient.Failure(description: "no sign-in form") }
        let csrf = String(html[range.upperBound..<end])
        var request = HTTPClientRequest(url: server + "/dashboard/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Cookie", value: String(loginCookie.split(separator: ";")[0]))
        request.body = .bytes(
            ByteBuffer(
                string: "_csrf=\(csrf)&username=admin&password=\(InProcessGantry.adminPassword)&next=%2Fdashboard"))
        let response = try await http.execute(request, timeout: .seconds(10))
        guard let session = response.headers["Set-Cookie"].first(where: { $0.hasPrefix("gantry_session=") }) else {
            throw BenchClient.Failure(description: "sign-in failed: \(response.status)")
        }
        return String(session.split(separator: ";")[0])
    }
}

extension LoadRequest {
    /// Sends it, reads the whole answer, and returns the seconds it took with the server's
    /// `Server-Timing` metrics (in seconds, by name).
    func timed(on http: HTTPClient) async throws -> (Double, [String: Double]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        let start = ContinuousClock.now
        let response = try await http.execute(request, timeout: .seconds(60))
        let answer = try await response.body.collect(upTo: 8 << 20)
        let elapsed = (ContinuousClock.now - start).seconds
        guard Int(response.status.code) == expect else {
            throw BenchClient.Failure(
                description: "\(method) \(url): \(response.status.code) \(String(buffer: answer))")
        }
        var metrics: [String: Double] = [:]
        for entry in response.headers["Server-Timing"].flatMap({ $0.split(separator: ",") }) {
            let parts = entry.split(separator: ";")
            guard let name = parts.first?.trimmingCharacters(in: .whitespaces),
                let duration = parts.dropFirst().first(where: { $0.contains("dur=") })?.split(separator: "=").last,
                let value = Double(duration)
            else { continue }
            metrics[name] = value / 1000
        }
        return (elapsed, metrics)
    }

    func body(on http: HTTPClient) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        let response = try await http.execute(request, timeout: .seconds(30))
        return String(buffer: try await response.body.collect(upTo: 8 << 20))
    }
}
