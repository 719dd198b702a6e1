import AsyncHTTPClient
import DockerEngine
import Foundation
import GantryCore
import GantryServices
import GantryTestSupport
import Logging
import Synchronization
import Testing

/// Where the real components are, as set by scripts/test.sh.
enum TestEnvironment {
    static var dockerHost: String {
        ProcessInfo.processInfo.environment["GANTRY_TEST_DOCKER_HOST"] ?? "unix:///var/run/docker.sock"
    }

    /// The maintenance URL of the test PostgreSQL server. Tests that need it fail (never skip)
    /// when it is missing: run them through scripts/test.sh.
    static func postgresURL() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["GANTRY_TEST_POSTGRES_URL"],
            "GANTRY_TEST_POSTGRES_URL is not set: run the suite with scripts/test.sh")
    }

    static let httpImage = "gantry-test/httpd:latest"

    /// Settings every server under test gets, so parallel servers never share a listener, the
    /// host's GPUs or a session network they did not ask for.
    static let serverDefaults: [String: String] = [
        "GANTRY_SSH_ADDR": "127.0.0.1:0",
        "GANTRY_NVIDIA_SMI": "/nonexistent/nvidia-smi",
        "GANTRY_GPU_ATTACH": "env",
        "GANTRY_SESSION_IMAGE": sessionImage,
        "GANTRY_SESSION_NETWORK": "gantry-test-sessions",
        "GANTRY_SESSION_CPU": "0.25",
        "GANTRY_SESSION_MEMORY_MB": "128",
        "GANTRY_DANGLING_GRACE": "1s",
    ]
    /// busybox plus OpenSSH's sftp-server and scp (scripts/lib/ensure-test-images.sh).
    static let sessionImage = "gantry-test/session:latest"

    static var logger: Logger {
        var logger = Logger(label: "gantry-test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["GANTRY_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) }
            ?? .critical
        return logger
    }

    /// Port blocks handed to tests, so parallel tests never compete for host ports.
    /// A block of ports of this test's own for the server's port range.
    static func portRange(size: Int = 40) -> (Int, Int) {
        let block = FreePorts.block(size: size)
        return (block.lowerBound, block.upperBound)
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
    }
}

/// The databases each store test runs against.
enum DatabaseKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// A fresh, empty database for one test, dropped afterwards.
struct TestDatabase: Sendable {
    let kind: DatabaseKind
    let dataDirectory: String
    let postgresURL: String?
    private let databaseName: String?
    private let maintenanceURL: String?

    static func create(_ kind: DatabaseKind) throws -> TestDatabase {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent(TestEnvironment.uniqueName("gantry-test")).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        switch kind {
        case .sqlite:
            return TestDatabase(
                kind: kind, dataDirectory: directory, postgresURL: nil, databaseName: nil, maintenanceURL: nil)
        case .postgres:
            let maintenance = try TestEnvironment.postgresURL()
            let name = TestEnvironment.uniqueName("gantry_test")
            try psql(maintenance, "CREATE DATABASE \(name)")
            guard var components = URLComponents(string: maintenance) else {
                throw TestFailure("bad GANTRY_TEST_POSTGRES_URL")
            }
            components.path = "/\(name)"
            return TestDatabase(
                kind: kind, dataDirectory: directory, postgresURL: components.string, databaseName: name,
                maintenanceURL: maintenance)
        }
    }

    func drop() {
        try? FileManager.default.removeItem(atPath: dataDirectory)
        if let databaseName, let maintenanceURL {
            try? Self.psql(maintenanceURL, "DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)")
        }
    }

    static func psql(_ url: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw TestFailure("psql failed: \(message)")
        }
    }
}

/// A Docker Engine client for tests to look behind Gantry's back.
func withDocker<T>(_ body: (DockerEngineClient) async throws -> T) async throws -> T {
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        let docker = try DockerEngineClient(
            host: TestEnvironment.dockerHost, httpClient: http, logger: TestEnvironment.logger)
        let result = try await body(docker)
        try await http.shutdown()
        return result
    } catch {
        try? await http.shutdown()
        throw error
    }
}

/// Removes every container of an installation, whatever the test did.
func removeContainers(installation: String) async {
    _ = try? await withDocker { docker in
        for container in try await docker.listContainers(labels: [ContainerLabels.installation: installation]) {
            try? await docker.removeContainer(id: container.id)
        }
    }
}
