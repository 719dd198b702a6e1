import AsyncHTTPClient
import Foundation
import GantryCore
import GantryPorts
import GantryServer
import GantryServices
import GantryTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// A JSON answer from the API under test.
struct APIResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: Data

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var text: String { String(decoding: body, as: UTF8.self) }
    subscript(key: String) -> Any? { json[key] }
    var errorCode: String? { json["error"] as? String }
}

/// One Gantry server, in process with a live HTTP listener and its reconciler, on its own
/// database, port range and container labels.
struct TestGantry: Sendable {
    static let adminPassword = "admin-pass-123"

    let client: any TestClientProtocol
    let gantry: GantryApplication
    let configuration: GantryConfiguration

    var store: any Store { gantry.store }

    /// Runs `body` against a fresh server, then removes its containers and database.
    static func run(
        _ kind: DatabaseKind = .sqlite, environment overrides: [String: String] = [:],
        _ body: @Sendable (TestGantry) async throws -> Void
    ) async throws {
        let database = try TestDatabase.create(kind)
        defer { database.drop() }
        let (portStart, portEnd) = TestEnvironment.portRange()
        var environment: [String: String] = [
            "GANTRY_DATA_DIR": database.dataDirectory,
            "GANTRY_DOCKER_HOST": TestEnvironment.dockerHost,
            "GANTRY_HTTP_ADDR": "127.0.0.1:0",
            "GANTRY_ADMIN_PASSWORD": adminPassword,
            "GANTRY_BCRYPT_COST": "4",
            "GANTRY_PORT_RANGE_START": String(portStart),
            "GANTRY_PORT_RANGE_END": String(portEnd),
            "GANTRY_NODE_ADDRESS": "127.0.0.1",
            "GANTRY_PUBLISH_ADDR": "127.0.0.1",
            "GANTRY_RECONCILE_INTERVAL": "0.2",
        ]
        // No GPUs unless a test installs a fake nvidia-smi; the gateway on an ephemeral port.
        environment.merge(TestEnvironment.serverDefaults) { current, _ in current }
        if let url = database.postgresURL { environment["GANTRY_DATABASE_URL"] = url }
        environment.merge(overrides) { _, new in new }
        let configuration = try GantryConfiguration.load(environment: environment)
        let gantry = try await GantryApplication.build(configuration: configuration, logger: TestEnvironment.logger)
        let installation = gantry.installationID
        do {
            try await gantry.application.test(.live) { client in
                try await body(TestGantry(client: client, gantry: gantry, configuration: configuration))
            }
        } catch {
            await cleanUp(gantry, installation: installation)
            throw error
        }
        await cleanUp(gantry, installation: installation)
    }

    /// Removes the server's containers, stops it, and sweeps again: a container create still in
    /// flight when the first sweep ran lands after it, and only a stopped server makes no more.
    static func cleanUp(_ gantry: GantryApplication, installation: String) async {
        await removeContainers(installation: installation)
        await gantry.shutdown()
        await removeContainers(installation: installation)
    }

    // MARK: HTTP

    func request(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: Any? = nil, rawBody: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> APIResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        } else if let rawBody {
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
            body = ByteBuffer(string: rawBody)
        }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers, body: body)
        return APIResponse(status: response.status, headers: response.headers, body: Data(buffer: response.body))
    }

    func login(_ username: String, _ password: String) async throws -> String {
        let response = try await request(
            .post, "/api/v1/auth/token", json: ["username": username, "password": password])
        #expect(response.status == .ok, "login failed: \(response.text)")
        return try #require(response["access_token"] as? String)
    }

    func adminToken() async throws -> String { try await login("admin", Self.adminPassword) }

    /// Creates a user through the API and returns their id and token.
    func createUser(
        _ username: String, adminToken: String, quota: [String: Any]? = nil
    ) async throws
        -> (id: String, token: String)
    {
        let password = "secret-\(username)-1"
        let created = try await request(
            .post, "/api/v1/users", token: adminToken,
            json: ["email": "\(username)@example.com", "username": username, "password": password])
        #expect(created.status == .created, "create user failed: \(created.text)")
        let id = try #require(created["id"] as? String)
        if let quota {
            let patched = try await request(.patch, "/api/v1/users/\(id)", token: adminToken, json: ["quota": quota])
            #expect(patched.status == .ok, "set quota failed: \(patched.text)")
        }
        return (id, try await login(username, password))
    }

    /// Adds the locally built busybox httpd image to the catalog as `httpd`.
    func addTestImage(
        adminToken: String, name: String = "httpd", reference: String = TestEnvironment.httpImage
    )
        async throws
    {
        let response = try await request(
            .post, "/api/v1/images", token: adminToken,
            json: ["name": name, "reference": reference, "port": 8080, "description": "busybox httpd"])
        #expect(response.status == .created, "add image failed: \(response.text)")
    }

    func launch(
        _ name: String, token: String, image: String = "httpd", cpu: Double = 0.25, memoryMB: Int = 64
    )
        async throws -> APIResponse
    {
        try await request(
            .post, "/api/v1/instances", token: token,
            json: ["name": name, "image": image, "cpu": cpu, "memory_mb": memoryMB])
    }

    func instance(_ id: String, token: String) async throws -> [String: Any] {
        try await request(.get, "/api/v1/instances/\(id)", token: token).json
    }

    /// Waits until the instance reaches `state`; fails with its last reason otherwise.
    @discardableResult
    func waitFor(
        _ id: String, state: String, token: String, timeout: Duration = .seconds(30)
    ) async throws
        -> [String: Any]
    {
        var last: [String: Any] = [:]
        let reached = try await eventually(timeout: timeout) {
            last = try await instance(id, token: token)
            return last["state"] as? String == state
        }
        #expect(reached, "instance never became \(state); last: \(last)")
        return last
    }
}

/// An HTTP GET against an instance endpoint, outside Gantry: nil when nothing answers.
func fetch(_ url: String) async -> String? {
    var request = HTTPClientRequest(url: url)
    request.method = .GET
    guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)), response.status == .ok,
        let body = try? await response.body.collect(upTo: 1 << 20)
    else { return nil }
    return String(buffer: body)
}
