import Foundation
import GantryTestSupport
import Glibc
import Testing

/// Drives the built `gantry` binary as a user would: serve, login, launch, reach, stop, start,
/// terminate; and checks the containers through the Engine API.
@Suite struct EndToEndTests {
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["GANTRY_BINARY"] { return path }
        // The test bundle lives beside the products in .build/debug.
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [
            directory, directory.deletingLastPathComponent(),
            directory.deletingLastPathComponent().deletingLastPathComponent(),
        ] {
            let path = candidate.appendingPathComponent("gantry").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/gantry").path
    }

    struct Run {
        let status: Int32
        let output: String
        let errors: String
    }

    /// Runs the CLI to completion.
    static func gantry(_ arguments: [String], environment: [String: String], input: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            errors: String(decoding: err, as: UTF8.self))
    }

    /// Starts `gantry serve` with `environment`, its stdout and stderr going to `log`.
    static func startServe(environment: [String: String], log: URL) throws -> Process {
        let serve = Process()
        serve.executableURL = URL(fileURLWithPath: binary)
        serve.arguments = ["serve"]
        serve.environment = environment
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        serve.standardOutput = logHandle
        serve.standardError = logHandle
        try serve.run()
        return serve
    }

    static func json(_ run: Run) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(run.output.utf8))) as? [String: Any] ?? [:]
    }

    @Test func aUserServesLogsInLaunchesReachesStopsStartsAndTerminates() async throws {
        let binary = Self.binary
        #expect(FileManager.default.isExecutableFile(atPath: binary), "build the gantry binary first: \(binary)")
        let home = FileManager.default.temporaryDirectory.appendingPathComponent(
            TestEnvironment.uniqueName("gantry-e2e"))
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let port = try FreePorts.ephemeral()
        let (portStart, portEnd) = TestEnvironment.portRange()
        let server = "http://127.0.0.1:\(port)"
        let password = "e2e-admin-pass-1"

        var serveEnvironment = ProcessInfo.processInfo.environment
        serveEnvironment.merge([
            "GANTRY_DATA_DIR": home.appendingPathComponent("data").path, "GANTRY_HTTP_ADDR": "127.0.0.1:\(port)",
            "GANTRY_ADMIN_PASSWORD": password, "GANTRY_DOCKER_HOST": TestEnvironment.dockerHost,
            "GANTRY_NODE_ADDRESS": "127.0.0.1", "GANTRY_PORT_RANGE_START": "\(portStart)",
            "GANTRY_PORT_RANGE_END": "\(portEnd)", "GANTRY_RECONCILE_INTERVAL": "0.5", "GANTRY_BCRYPT_COST": "4",
        ]) { _, new in new }
        serveEnvironment.merge(TestEnvironment.serverDefaults) { _, new in new }
        serveEnvironment["GANTRY_DATABASE_URL"] = nil
        let sshPort = try FreePorts.ephemeral()
        serveEnvironment["GANTRY_SSH_ADDR"] = "127.0.0.1:\(sshPort)"
        serveEnvironment["GANTRY_NVIDIA_SMI"] = try FakeNvidiaSMI.install(
            fixture: "a100-mig-on", in: home.appendingPathComponent("bin").path)
        let serverLog = home.appendingPathComponent("serve.log")
        let serve = try Self.startServe(environment: serveEnvironment, log: serverLog)
        var installation: String?
        defer {
            if serve.isRunning { serve.terminate() }
            if let installation { Task { await removeContainers(installation: installation) } }
        }
        #expect(try await eventually { await fetch("\(server)/health") != nil }, "gantry serve did not come up")

        let client = ["GANTRY_CONFIG_DIR": home.appendingPathComponent("config").path, "HOME": home.path]
        let login = try Self.gantry(
            ["login", "--server", server, "--username", "admin", "--password-stdin"], environment: client,
            input: password + "\n")
        #expect(login.status == 0, "login: \(login.errors)")
        #expect(login.output.contains("admin"))
        let saved = try String(contentsOf: home.appendingPathComponent("config/config.json"), encoding: .utf8)
        #expect(saved.contains(server))

        let add = try Self.gantry(
            ["images", "add", "--name", "httpd", "--reference", TestEnvironment.httpImage, "--port", "8080"],
            environment: client)
        #expect(add.status == 0, "images add: \(add.errors)")

        let launch = try Self.gantry(
            [
                "instances", "launch", "--name", "web", "--image", "httpd", "--cpu", "0.5", "--memory-mb", "64",
                "--wait",
                "--json",
            ], environment: client)
        #expect(launch.status == 0, "launch: \(launch.errors) \(launch.output)")
        let launched = Self.json(launch)
        let endpoint = try #require(launched["endpoint"] as? String, "launch output: \(launch.output)")
        let containerID = try #require(launched["container_id"] as? String)
        #expect(launched["state"] as? String == "running")
        #expect(try await eventually { await fetch(endpoint)?.contains("gantry test instance") == true })

        let container = try #require(try await DockerProbe.inspect(containerID))
        installation = container.labels["gantry.installation"]
        #expect(container.labels["gantry.kind"] == "instance")
        #expect(container.capDrop == ["ALL"])
        #expect(container.running)

        let list = try Self.gantry(["instances", "list"], environment: client)
        #expect(list.status == 0)
        #expect(list.output.contains("web") && list.output.contains("running"), "\(list.output)")

        func state() throws -> String? {
            Self.json(try Self.gantry(["instances", "show", "web", "--json"], environment: client))["state"] as? String
        }
        #expect(try Self.gantry(["instances", "stop", "web"], environment: client).status == 0)
        #expect(try await eventually { try state() == "stopped" })
        #expect(try await DockerProbe.inspect(containerID)?.running == false)
        #expect(await fetch(endpoint) == nil)

        #expect(try Self.gantry(["instances", "start", "web"], environment: client).status == 0)
        #expect(try await eventually { try state() == "running" })
        #expect(try await eventually { await fetch(endpoint) != nil })

        let logs = try Self.gantry(["instances", "logs", "web", "--tail", "10"], environment: client)
        #expect(logs.status == 0)

        // Bad input from the CLI: a clear error and a non-zero exit.
        let overQuota = try Self.gantry(
            ["instances", "launch", "--name", "huge", "--image", "httpd", "--cpu", "64", "--memory-mb", "64"],
            environment: client)
        #expect(overQuota.status != 0)
        #expect(overQuota.errors.contains("error:"), "\(overQuota.errors)")

        #expect(try Self.gantry(["instances", "terminate", "web"], environment: client).status == 0)
        #expect(try await eventually { try await DockerProbe.inspect(containerID) == nil })
        let quota = Self.json(try Self.gantry(["quota", "--json"], environment: client))
        #expect((quota["usage"] as? [String: Any])?["instances"] as? Int == 0)

        // Seed 001 from the CLI: a key, the GPUs, a session, ssh into it, extend, remove.
        let keyPath = home.appendingPathComponent(".ssh/id_ed25519").path
        try FileManager.default.createDirectory(
            at: home.appendingPathComponent(".ssh"), withIntermediateDirectories: true)
        let keygen = Process()
        keygen.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
        keygen.arguments = ["-q", "-t", "ed25519", "-N", "", "-f", keyPath]
        try keygen.run()
        keygen.waitUntilExit()
        let addKey = try Self.gantry(["ssh-keys", "add"], environment: client)
        #expect(addKey.status == 0, "ssh-keys add: \(addKey.errors)")
        #expect(addKey.output.contains("SHA256:"))
        let gpus = try Self.gantry(["gpus"], environment: client)
        #expect(gpus.status == 0 && gpus.output.contains("3g.20gb"), "\(gpus.output) \(gpus.errors)")
        let created = try Self.gantry(
            ["sessions", "create", "--user", "admin", "--profile", "3g.20gb", "--name", "lab", "--json"],
            environment: client)
        #expect(created.status == 0, "sessions create: \(created.errors)")
        let session = Self.json(created)
        #expect(session["status"] as? String == "running")
        let sessionContainer = try #require(session["container_id"] as? String)
        let ssh = Process()
        // A plain sh parent: ssh closes inherited descriptors, which blinds Foundation's child
        // tracking on Linux while it runs.
        ssh.executableURL = URL(fileURLWithPath: "/bin/sh")
        ssh.arguments = [
            "-c", "\"$@\"; status=$?; exit $status", "sh", "/usr/bin/ssh", "-F", "/dev/null", "-o",
            "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o",
            "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", keyPath, "-p", String(sshPort), "admin@127.0.0.1",
            "echo $NVIDIA_VISIBLE_DEVICES",
        ]
        let sshOutput = Pipe()
        ssh.standardOutput = sshOutput
        ssh.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try ssh.run()
        let seen = String(decoding: sshOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ssh.waitUntilExit()
        #expect(ssh.terminationStatus == 0)
        #expect(seen.trimmingCharacters(in: .whitespacesAndNewlines) == session["gpu_uuid"] as? String)
        #expect(try Self.gantry(["sessions", "extend", "lab", "--minutes", "15"], environment: client).status == 0)
        let sessions = try Self.gantry(["sessions", "list"], environment: client)
        #expect(sessions.output.contains("lab") && sessions.output.contains("running"), "\(sessions.output)")
        #expect(try Self.gantry(["sessions", "rm", "lab"], environment: client).status == 0)
        #expect(try await DockerProbe.inspect(sessionContainer) == nil)

        // SIGTERM: a clean shutdown, promptly.
        serve.terminate()
        let stopped = try await eventually(timeout: .seconds(15)) { !serve.isRunning }
        #expect(stopped, "gantry serve did not exit on SIGTERM")
        #expect(serve.terminationStatus == 0, "exit status \(serve.terminationStatus)")
        let logLines = try String(contentsOf: serverLog, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("{") }
        #expect(logLines.count > 3, "gantry serve logs JSON lines")
        #expect(logLines.contains { $0.contains("hb.request.id") }, "request logs carry request ids")
    }
}
