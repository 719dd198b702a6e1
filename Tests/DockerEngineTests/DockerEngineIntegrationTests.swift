import AsyncHTTPClient
import Foundation
import GantryCore
import GantryPorts
import GantryTestSupport
import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import DockerEngine

/// Against the real engine at `GANTRY_TEST_DOCKER_HOST` (default `unix:///var/run/docker.sock`), with the
/// locally built `gantry-test/httpd:latest` (scripts/lib/ensure-test-images.sh). Tests run in parallel;
/// each labels its containers with its own id and removes them at the end.
@Suite(.enabled(if: DockerTestSupport.engineConfigured, "no Docker engine configured"))
struct DockerEngineIntegrationTests {
    @Test func pingAndInfo() async throws {
        let runtime = try DockerTestSupport.makeClient()
        try await runtime.ping()
        let info = try await runtime.info()
        #expect(info.cpus > 0)
        #expect(info.memoryBytes > 0)
        #expect(!info.serverVersion.isEmpty)
        #expect(!info.hostname.isEmpty)
        #expect(!info.operatingSystem.isEmpty)
    }

    @Test func imageExistsForTheTestImageOnly() async throws {
        let runtime = try DockerTestSupport.makeClient()
        #expect(try await runtime.imageExists(DockerTestSupport.testImage))
        #expect(try await runtime.imageExists("gantry-test/does-not-exist:nope") == false)
        let digest = "sha256:" + String(repeating: "0", count: 64)
        #expect(try await runtime.imageExists("localhost:5000/gantry-test/nothing@\(digest)") == false)
    }

    @Test func fullLifecycle() async throws {
        try await ContainerTestScope.run { scope in
            let runtime = scope.runtime
            let port = try DockerTestSupport.freePort()
            let spec = scope.spec(
                "life", hostPort: port,
                command: ["sh", "-c", "echo gantry-out-line; echo gantry-err-line >&2; exec httpd -f -p 8080 -h /www"]
            )
            let id = try await runtime.createContainer(spec)

            let created = try #require(try await runtime.inspectContainer(id: id))
            #expect(created.id == id)
            #expect(created.name == spec.name)
            #expect(created.status == .created)
            // The engine adds the image's labels to the container's; Gantry's must all be there.
            #expect(spec.labels.allSatisfy { created.labels[$0.key] == $0.value })
            #expect(created.exitCode == nil)

            // What the engine stored, beyond what ContainerObservation carries.
            let raw = try await runtime.send(.GET, "/containers/\(id)/json")
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(raw.body.readableBytesView)) as? [String: Any]
            )
            let hostConfig = try #require(json["HostConfig"] as? [String: Any])
            #expect(hostConfig["CapDrop"] as? [String] == ["ALL"])
            #expect((hostConfig["SecurityOpt"] as? [String] ?? []).contains { $0.hasPrefix("no-new-privileges") })
            #expect(hostConfig["NanoCpus"] as? Int == 500_000_000)
            #expect(hostConfig["Memory"] as? Int == 64 * 1024 * 1024)
            #expect(hostConfig["PidsLimit"] as? Int == 64)
            #expect((hostConfig["RestartPolicy"] as? [String: Any])?["Name"] as? String == "no")

            try await runtime.startContainer(id: id)
            try await runtime.startContainer(id: id)  // already started (304) is fine
            #expect(try await runtime.inspectContainer(id: id)?.status == .running)
            let page = try await DockerTestSupport.fetchPage(port: port)
            #expect(!page.isEmpty)

            let listed = try await runtime.listContainers(labels: scope.labels)
            #expect(listed.map(\.id) == [id])
            #expect(listed.first?.name == spec.name)
            #expect(listed.first?.status == .running)
            #expect(spec.labels.allSatisfy { listed.first?.labels[$0.key] == $0.value })

            var logs = ""
            let sawLogs = try await eventually(timeout: .seconds(15)) {
                logs = try await runtime.logs(id: id, tail: 100)
                return logs.contains("gantry-out-line") && logs.contains("gantry-err-line")
            }
            #expect(sawLogs, "logs were: \(logs)")
            // stdout and stderr are separate pipes, so which line is last is not fixed; that there is one is.
            let lastLine = try await runtime.logs(id: id, tail: 1)
            #expect(lastLine.split(separator: "\n").count == 1, "tail 1 gave: \(lastLine)")

            try await runtime.stopContainer(id: id, timeoutSeconds: 5)
            let stopped = try #require(try await runtime.inspectContainer(id: id))
            #expect(stopped.status == .exited)
            #expect(stopped.exitCode != nil)
            try await runtime.stopContainer(id: id, timeoutSeconds: 5)  // already stopped (304) is fine

            try await runtime.startContainer(id: id)
            #expect(try await runtime.inspectContainer(id: id)?.status == .running)
            _ = try await DockerTestSupport.fetchPage(port: port)

            try await runtime.removeContainer(id: id)
            #expect(try await runtime.inspectContainer(id: id) == nil)
            try await runtime.removeContainer(id: id)  // already gone is fine
            #expect(try await runtime.listContainers(labels: scope.labels).isEmpty)

            await #expect(throws: ContainerRuntimeError.notFound("container \(id)")) {
                try await runtime.startContainer(id: id)
            }
            await #expect(throws: ContainerRuntimeError.notFound("container \(id)")) {
                try await runtime.stopContainer(id: id, timeoutSeconds: 1)
            }
            await #expect(throws: ContainerRuntimeError.notFound("container \(id)")) {
                _ = try await runtime.logs(id: id, tail: 10)
            }
        }
    }

    @Test func exitCodeIsReported() async throws {
        try await ContainerTestScope.run { scope in
            let runtime = scope.runtime
            let id = try await runtime.createContainer(
                scope.spec("exit", hostPort: try DockerTestSupport.freePort(), command: ["sh", "-c", "exit 3"])
            )
            try await runtime.startContainer(id: id)
            let exited = try await eventually(timeout: .seconds(15)) {
                try await runtime.inspectContainer(id: id)?.status == .exited
            }
            #expect(exited)
            #expect(try await runtime.inspectContainer(id: id)?.exitCode == 3)
            #expect(try await runtime.listContainers(labels: scope.labels).first?.exitCode == 3)
        }
    }

    @Test func listMatchesEveryLabel() async throws {
        try await ContainerTestScope.run { scope in
            let runtime = scope.runtime
            let web = try await runtime.createContainer(
                scope.spec("web", hostPort: try DockerTestSupport.freePort(), extraLabels: ["gantry.role": "web"])
            )
            let worker = try await runtime.createContainer(
                scope.spec(
                    "worker", hostPort: try DockerTestSupport.freePort(), extraLabels: ["gantry.role": "worker"]
                )
            )
            let all = try await runtime.listContainers(labels: scope.labels)
            #expect(Set(all.map(\.id)) == [web, worker])
            #expect(all.allSatisfy { $0.status == .created })
            let webOnly = try await runtime.listContainers(labels: scope.labels.merging(["gantry.role": "web"]) { $1 })
            #expect(webOnly.map(\.id) == [web])
            #expect(try await runtime.listContainers(labels: ["gantry.test": UUID().uuidString]).isEmpty)
        }
    }

    @Test func duplicateNameIsAConflict() async throws {
        try await ContainerTestScope.run { scope in
            let spec = scope.spec("dup", hostPort: try DockerTestSupport.freePort())
            _ = try await scope.runtime.createContainer(spec)
            do {
                _ = try await scope.runtime.createContainer(spec)
                Issue.record("second create with the same name succeeded")
            } catch {
                guard case .engine(409, let message)? = error as? ContainerRuntimeError else {
                    Issue.record("expected a 409, got \(error)")
                    return
                }
                #expect(message.contains(spec.name))
            }
        }
    }

    @Test func missingImageIsNotFound() async throws {
        try await ContainerTestScope.run { scope in
            var spec = scope.spec("noimage", hostPort: try DockerTestSupport.freePort())
            spec.image = "gantry-test/does-not-exist:nope"
            await #expect(throws: ContainerRuntimeError.notFound("image gantry-test/does-not-exist:nope")) {
                _ = try await scope.runtime.createContainer(spec)
            }
        }
    }

    @Test func takenHostPortIsPortInUse() async throws {
        try await ContainerTestScope.run { scope in
            let runtime = scope.runtime
            let port = try DockerTestSupport.freePort()
            let first = try await runtime.createContainer(scope.spec("first", hostPort: port))
            let second = try await runtime.createContainer(scope.spec("second", hostPort: port))
            try await runtime.startContainer(id: first)
            do {
                try await runtime.startContainer(id: second)
                Issue.record("second container started on a taken port")
            } catch {
                guard case .portInUse(let message)? = error as? ContainerRuntimeError else {
                    Issue.record("expected portInUse, got \(error)")
                    return
                }
                #expect(message.contains(String(port)))
            }
            let observed = try await runtime.inspectContainer(id: second)
            #expect(observed?.status != .running)
        }
    }

    @Test func pullingAnUnknownImageFails() async throws {
        let runtime = try DockerTestSupport.makeClient()
        do {
            try await runtime.pullImage("gantry-test/does-not-exist:nope")
            Issue.record("pull of a nonexistent image succeeded")
        } catch {
            guard case .imagePullFailed(let reference, let detail) = error else {
                Issue.record("expected imagePullFailed, got \(error)")
                return
            }
            #expect(reference == "gantry-test/does-not-exist:nope")
            #expect(!detail.isEmpty)
        }
    }

    @Test func inspectOfUnknownContainerIsNil() async throws {
        let runtime = try DockerTestSupport.makeClient()
        #expect(try await runtime.inspectContainer(id: "gantry-test-no-such-\(UUID().uuidString)") == nil)
        try await runtime.removeContainer(id: "gantry-test-no-such-\(UUID().uuidString)")
    }

    @Test func badSocketIsUnreachable() async throws {
        let socket = "/tmp/gantry-no-such-dir-\(UUID().uuidString)/docker.sock"
        let runtime = try DockerTestSupport.makeClient(host: "unix://\(socket)")
        await #expect {
            try await runtime.ping()
        } throws: { error in
            guard case .unreachable = error as? ContainerRuntimeError else { return false }
            return true
        }
        await #expect {
            _ = try await runtime.inspectContainer(id: "x")
        } throws: { error in
            guard case .unreachable = error as? ContainerRuntimeError else { return false }
            return true
        }
    }

    @Test func refusedTCPConnectionIsUnreachable() async throws {
        // A port nothing listens on; a client that does not retry connecting fails at once.
        let port = try DockerTestSupport.freePort()
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let runtime = try DockerEngineClient(
            host: "tcp://127.0.0.1:\(port)", httpClient: httpClient, logger: Logger(label: "gantry.test.docker"),
            timeouts: .init(request: .seconds(120))
        )
        let started = ContinuousClock.now
        await #expect {
            try await runtime.ping()
        } throws: { error in
            guard case .unreachable = error as? ContainerRuntimeError else { return false }
            return true
        }
        // Far below the request timeout: a refused connection is reported at once, not retried.
        #expect(ContinuousClock.now - started < .seconds(60))
        try await httpClient.shutdown()
    }
}
