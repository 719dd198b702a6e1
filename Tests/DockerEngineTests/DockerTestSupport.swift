import AsyncHTTPClient
import DockerEngine
import Foundation
import GantryCore
import GantryPorts
import GantryTestSupport
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

/// The engine the integration tests use, and helpers that keep parallel tests out of each other's way.
enum DockerTestSupport {
    static let hostString =
        ProcessInfo.processInfo.environment["GANTRY_TEST_DOCKER_HOST"]
        ?? "unix:///var/run/docker.sock"
    static let testImage = "gantry-test/httpd:latest"
    static let containerPort = 8080

    /// Integration tests run where an engine is configured: the variable is set or the default socket exists.
    static var engineConfigured: Bool {
        ProcessInfo.processInfo.environment["GANTRY_TEST_DOCKER_HOST"] != nil
            || FileManager.default.fileExists(atPath: "/var/run/docker.sock")
    }

    static func makeClient(host: String = hostString) throws -> DockerEngineClient {
        var logger = Logger(label: "gantry.test.docker")
        logger.logLevel = .info
        return try DockerEngineClient(host: host, httpClient: .shared, logger: logger)
    }

    /// A host port nothing is bound to and no other test of this process got.
    static func freePort() throws -> Int { try FreePorts.unbound() }

    /// GET `http://127.0.0.1:port/`, retried while the server in the container comes up.
    static func fetchPage(port: Int, within seconds: Double = 15) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                let response = try await HTTPClient.shared.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/"), timeout: .seconds(2)
                )
                let body = try await response.body.collect(upTo: 1 << 20)
                if response.status.code == 200 { return String(buffer: body) }
                lastError = TestFailure("status \(response.status.code)")
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("no page on port \(port) within \(seconds) s: \(String(describing: lastError))")
    }
}

/// One test's containers: all carry `gantry.test=<id>`, and all are removed when the test ends,
/// whether it passed, failed an expectation or threw.
struct ContainerTestScope {
    let runtime: DockerEngineClient
    let id = UUID().uuidString.lowercased()
    var labels: [String: String] { ["gantry.test": id] }

    func spec(
        _ suffix: String, hostPort: Int, command: [String]? = nil, extraLabels: [String: String] = [:]
    ) -> ContainerSpec {
        ContainerSpec(
            name: "gantry-test-\(id.prefix(8))-\(suffix)", image: DockerTestSupport.testImage, command: command,
            environment: ["GANTRY_TEST=\(id)"], labels: labels.merging(extraLabels) { $1 }, cpu: 0.5, memoryMB: 64,
            pidsLimit: 64, containerPort: DockerTestSupport.containerPort, hostBindIP: "0.0.0.0", hostPort: hostPort
        )
    }

    /// Removes everything labelled for this test, including containers whose id the test never learnt.
    func cleanUp() async {
        let leftovers = (try? await runtime.listContainers(labels: labels)) ?? []
        for container in leftovers {
            try? await runtime.removeContainer(id: container.id)
        }
    }

    static func run(_ body: (ContainerTestScope) async throws -> Void) async throws {
        let scope = ContainerTestScope(runtime: try DockerTestSupport.makeClient())
        do {
            try await body(scope)
        } catch {
            await scope.cleanUp()
            throw error
        }
        await scope.cleanUp()
    }
}
