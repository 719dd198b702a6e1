import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A few JSON calls against a running Gantry; the benchmark measures the server, not this client.
struct BenchClient {
    let server: String
    var token: String?

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func call(
        _ method: HTTPMethod, _ path: String, json: [String: Any]? = nil, using client: HTTPClient = .shared
    ) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: server + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 32 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        return (Int(response.status.code), object)
    }

    mutating func login(username: String, password: String) async throws {
        let (status, body) = try await call(
            .POST, "/api/v1/auth/token", json: ["username": username, "password": password])
        guard status == 200, let token = body["access_token"] as? String else {
            throw Failure(description: "login failed (\(status)): \(body)")
        }
        self.token = token
    }

    /// Adds the image to the catalog unless it is there.
    func ensureImage(name: String, reference: String, port: Int) async throws {
        let (status, _) = try await call(.GET, "/api/v1/images/\(name)")
        guard status == 404 else { return }
        let (created, body) = try await call(
            .POST, "/api/v1/images",
            json: ["name": name, "reference": reference, "port": port, "description": "benchmark"])
        guard created == 201 else { throw Failure(description: "adding image failed (\(created)): \(body)") }
    }

    /// Raises the caller's quota so benchmarks are not refused.
    func raiseQuota(instances: Int) async throws {
        let (_, me) = try await call(.GET, "/api/v1/users/me")
        guard let id = me["id"] as? String else { throw Failure(description: "no user id") }
        let (status, body) = try await call(
            .PATCH, "/api/v1/users/\(id)",
            json: ["quota": ["instances": instances, "cpu": 10_000, "memory_mb": 10_000_000]])
        guard status == 200 else { throw Failure(description: "raising quota failed (\(status)): \(body)") }
    }
}

/// The readiness poll's client: a refused connection fails at once instead of being retried until
/// the deadline, so the poll sees the moment the endpoint starts answering.
let pollClient: HTTPClient = {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool.retryConnectionEstablishment = false
    configuration.timeout.connect = .milliseconds(200)
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}()

/// Polls `url` every 5 ms until it answers 200; returns false on timeout.
func waitUntilAnswers(_ url: String, timeout: Duration = .seconds(60)) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        if let response = try? await pollClient.execute(request, timeout: .milliseconds(500)), response.status == .ok {
            _ = try? await response.body.collect(upTo: 1 << 20)
            return true
        }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return false
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
