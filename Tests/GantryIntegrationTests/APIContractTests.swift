import Foundation
import GantryTestSupport
import Testing

/// The server keeps to openapi.yaml: schemathesis (pinned, in .venv-schemathesis) fuzzes every
/// operation against a throwaway server, as the admin and as an ordinary user, with every check,
/// first one operation at a time and then statefully, following the spec's links from the
/// resources it creates to the operations on them. Any 5xx, any response that breaks the spec
/// (status, headers, body, SSE events), any schema-valid request refused and any invalid one
/// accepted fails the test.
/// Real SSH keys, local images and valid JSON Schemas come in through scripts/schemathesis/hooks.py.
@Suite(.timeLimit(.minutes(10)))
struct APIContractTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let schemathesis = repository.appendingPathComponent(".venv-schemathesis/bin/schemathesis").path
    static let hooks = repository.appendingPathComponent("scripts/schemathesis").path

    @Test func theServerKeepsToOpenAPIYAMLForAUserAndForTheAdmin() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.schemathesis),
            "run scripts/setup.sh (it installs schemathesis in .venv-schemathesis)")
        let environment = ["GANTRY_JOB_CONCURRENCY": "0", "GANTRY_RATE_LIMIT_JOBS_PER_MINUTE": "0"]
        try await TestGantry.run(environment: environment) { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let alice = try await gantry.createUser("alice", adminToken: admin)
            let port = try #require(gantry.client.port)
            let keys = try await Self.publicKeys()
            // The user first: the admin's run may deactivate alice.
            for (who, token) in [("alice", alice.token), ("admin", admin)] {
                let result = try await Self.fuzz(port: port, token: token, keys: keys)
                #expect(result.status == 0, "schemathesis as \(who) found failures:\n\(result.output)")
            }
        }
    }

    /// Runs schemathesis against the server on `port`; its exit status and the end of its report.
    static func fuzz(port: Int, token: String, keys: [String]) async throws -> (status: Int32, output: String) {
        let server = "http://127.0.0.1:\(port)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: schemathesis)
        process.arguments = [
            "run", "\(server)/openapi.json", "--url", server, "-H", "Authorization: Bearer \(token)",
            "--checks", "all", "--max-examples", "8", "--phases", "examples,coverage,fuzzing,stateful",
            "--generation-deterministic",
            // Deterministic generation also means no example database.
            "--request-timeout", "30", "--no-color",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["SCHEMATHESIS_HOOKS"] = "hooks"
        environment["PYTHONPATH"] = hooks
        environment["GANTRY_SCHEMATHESIS_SSH_KEYS"] = keys.joined(separator: "\n")
        environment["GANTRY_SCHEMATHESIS_IMAGES"] = "httpd"
        environment["GANTRY_SCHEMATHESIS_SESSION_IMAGES"] = TestEnvironment.sessionImage
        process.environment = environment
        // Its own working directory: schemathesis keeps a cache of past failures in `.schemathesis/`.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        process.currentDirectoryURL = scratch
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Read while it runs: a full pipe would stall it.
        let report = await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        process.waitUntilExit()
        let text = String(decoding: report, as: UTF8.self)
        return (process.terminationStatus, String(text.suffix(30_000)))
    }

    /// Two fresh public keys (Ed25519 and ECDSA) in authorized_keys form.
    static func publicKeys() async throws -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var keys: [String] = []
        for (type, bits) in [("ed25519", "256"), ("ecdsa", "256")] {
            let path = directory.appendingPathComponent(type).path
            let keygen = Process()
            keygen.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
            keygen.arguments = ["-q", "-t", type, "-b", bits, "-N", "", "-C", "st@\(type)", "-f", path]
            try keygen.run()
            keygen.waitUntilExit()
            keys.append(try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .newlines))
        }
        return keys
    }
}
