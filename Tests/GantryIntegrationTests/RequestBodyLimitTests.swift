import AsyncHTTPClient
import Foundation
import GantryAPI
import GantryServer
import GantryTestSupport
import HTTPTypes
import NIOCore
import Testing

/// Every route has a body limit, enforced before anything is decoded, on the path as the router
/// resolves it; too large is 413, never 500, and a client that leaves is not a server error.
@Suite struct RequestBodyLimitTests {
    static let limits = RequestBodyLimits(
        defaultLimit: 100,
        rules: [
            .init(prefix: "/api/v1/jobs", limit: 1000, code: "input_too_large"),
            .init(prefix: "/api/v1/jobs/special", limit: 5),
        ])

    @Test func theLongestMatchingPrefixDecidesOnTheNormalisedPath() {
        #expect(Self.limits.rule(for: "/api/v1/jobs").limit == 1000)
        #expect(Self.limits.rule(for: "/api/v1/jobs/").limit == 1000)
        #expect(Self.limits.rule(for: "//api//v1/jobs").limit == 1000)
        #expect(Self.limits.rule(for: "/api/v1/jobs/123/cancel").limit == 1000)
        #expect(Self.limits.rule(for: "/api/v1/jobs/special/x").limit == 5)
        #expect(Self.limits.rule(for: "/api/v1/jobsx").limit == 100)
        #expect(Self.limits.rule(for: "/api/v1").limit == 100)
        #expect(Self.limits.rule(for: "/").limit == 100)
    }

    @Test func theServersLimitsFollowTheSettings() throws {
        let configuration = try GantryConfiguration.load(environment: [
            "GANTRY_HTTP_MAX_BODY_BYTES": "8192", "GANTRY_HTTP_MAX_MANIFEST_BYTES": "20000",
            "GANTRY_JOB_MAX_INPUT_BYTES": "10000",
        ])
        let limits = GantryApplication.bodyLimits(configuration)
        #expect(limits.rule(for: "/api/v1/auth/token").limit == 8192)
        #expect(limits.rule(for: "/api/v1/jobs").limit == 10000 + 64 * 1024)
        #expect(limits.rule(for: "/api/v1/plugins/echo").limit == 20000)
        #expect(limits.rule(for: "/dashboard/login").limit == 8192)
        #expect(throws: (any Error).self) {
            try GantryConfiguration.load(environment: ["GANTRY_HTTP_MAX_BODY_BYTES": "12"])
        }
    }

    @Test func oversizedBodiesAre413OnEveryRouteAndSpelling() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            // Unauthenticated sign-in with a body far past the default limit.
            let padding = String(repeating: "x", count: 200_000)
            let signIn = try await gantry.request(
                .post, "/api/v1/auth/token", rawBody: "{\"username\":\"admin\",\"password\":\"\(padding)\"}")
            #expect(signIn.status == .contentTooLarge)
            #expect(signIn.errorCode == "body_too_large")

            // The job limit holds however the path is spelled.
            let bigInput =
                "{\"plugin_name\":\"x\",\"input_data\":{\"blob\":\"\(String(repeating: "y", count: 1_200_000))\"}}"
            for path in ["/api/v1/jobs", "/api/v1/jobs/", "//api/v1/jobs", "/api//v1/jobs"] {
                let submitted = try await gantry.request(.post, path, token: admin, rawBody: bigInput)
                #expect(submitted.status == .contentTooLarge, "\(path): \(submitted.status)")
                #expect(submitted.errorCode == "input_too_large", "\(path)")
            }

            // A dashboard sign-in with a 17 KB password: 413, not 500.
            let browser = DashboardSession(gantry)
            let form = try await browser.get("/dashboard/login")
            let page = try await browser.post(
                "/dashboard/login", [("username", "admin"), ("password", String(repeating: "p", count: 17_000))],
                csrf: form.csrf)
            #expect(page.status == .contentTooLarge)

            // Within the limits everything still works.
            #expect(try await gantry.request(.get, "/api/v1/users/me", token: admin).status == .ok)
            #expect(try await gantry.request(.get, "/api/v1/jobs", token: admin)["total"] as? Int == 0)
        }
    }

    @Test func aChunkedBodyOverTheLimitIs413AndAClientThatLeavesIsNot500() async throws {
        try await TestGantry.run { gantry in
            let port = try #require(gantry.client.port)
            let url = "http://127.0.0.1:\(port)/api/v1/auth/token"

            // Chunked: no Content-Length, so the limit is met while streaming.
            var chunked = HTTPClientRequest(url: url)
            chunked.method = .POST
            chunked.headers.add(name: "Content-Type", value: "application/json")
            chunked.body = .stream(
                RepeatedChunks(chunk: String(repeating: "z", count: 8192), count: 40), length: .unknown)
            let response = try await HTTPClient.shared.execute(chunked, timeout: .seconds(30))
            #expect(response.status.code == 413)
            let body = try await response.body.collect(upTo: 1 << 20)
            #expect(String(buffer: body).contains("body_too_large"))

            // A client that stops halfway through its body and goes away.
            var abandoned = HTTPClientRequest(url: url)
            abandoned.method = .POST
            abandoned.headers.add(name: "Content-Type", value: "application/json")
            abandoned.body = .stream(AbandonedBody(), length: .known(Int64(50_000)))
            _ = try? await HTTPClient.shared.execute(abandoned, timeout: .seconds(10))

            // It is answered (and counted) as a client error.
            let counted = try await eventually {
                try await gantry.request(.get, "/metrics").text.split(separator: "\n").contains {
                    $0.contains("route=\"/api/v1/auth/token\"") && $0.contains("status=\"400\"")
                }
            }
            #expect(counted)
            let metrics = try await gantry.request(.get, "/metrics").text
            let serverErrors = metrics.split(separator: "\n").filter {
                $0.hasPrefix("gantry_http_request_duration") && $0.contains("status=\"5")
            }
            #expect(serverErrors.isEmpty, "\(serverErrors)")
            #expect(try await gantry.request(.get, "/health").status == .ok)
        }
    }
}

/// A request body that sends a little and then fails, so the client drops the connection.
struct AbandonedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    struct AsyncIterator: AsyncIteratorProtocol {
        var sent = false

        mutating func next() async throws -> ByteBuffer? {
            guard !sent else { throw CancellationError() }
            sent = true
            return ByteBuffer(string: "{\"username\":\"admin\",")
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator() }
}

/// `count` copies of `chunk`, streamed.
struct RepeatedChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunk: String
    let count: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let chunk: String
        var remaining: Int

        mutating func next() async throws -> ByteBuffer? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            return ByteBuffer(string: chunk)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunk: chunk, remaining: count) }
}
