import Foundation
import GantryTestSupport
import Glibc
import Testing

/// The dashboard in a real browser: Debian's headless chromium, driven by Selenium through
/// Debian's chromedriver (scripts/lib/ensure-browser.sh installs them and the virtualenv). Each
/// test serves the built `gantry` binary on its own data directory and port, runs one script of
/// Tests/Browser against it and expects it to pass; screenshots and logs go to test-artifacts/.
@Suite(.serialized) struct DashboardBrowserTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let python = repository.appendingPathComponent(".venv-browser/bin/python").path
    static let chromedriver = "/usr/bin/chromedriver"
    static let chromium = "/usr/bin/chromium"
    static let artifacts = repository.appendingPathComponent("test-artifacts")
    static let scriptTimeout: Duration = .seconds(300)

    /// One `gantry serve` for one test.
    struct Server {
        let url: String
        let password: String
        let home: URL
    }

    /// Fails (never skips) when the browser or the tests' virtualenv is missing.
    static func requireBrowser() throws {
        let setup = "run scripts/setup.sh (it installs chromium, chromium-driver and selenium in .venv-browser)"
        try #require(FileManager.default.isExecutableFile(atPath: python), "\(python) is missing: \(setup)")
        try #require(FileManager.default.isExecutableFile(atPath: chromedriver), "\(chromedriver) is missing: \(setup)")
        try #require(FileManager.default.isExecutableFile(atPath: chromium), "\(chromium) is missing: \(setup)")
        let binary = EndToEndTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the gantry binary first: \(binary)")
    }

    /// Serves gantry for `body`, then stops it and removes every container it created.
    static func withServer(
        _ name: String, gpus: Bool = false, _ body: (Server) async throws -> Void
    ) async throws {
        try requireBrowser()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent(
            TestEnvironment.uniqueName("gantry-browser"))
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let port = try FreePorts.ephemeral()
        let (portStart, portEnd) = TestEnvironment.portRange()
        let password = "browser-admin-pass-1"
        var environment = ProcessInfo.processInfo.environment
        environment.merge(TestEnvironment.serverDefaults) { _, new in new }
        environment.merge(TestGantry.jobEnvironment) { _, new in new }
        environment.merge([
            "GANTRY_DATA_DIR": home.appendingPathComponent("data").path, "GANTRY_HTTP_ADDR": "127.0.0.1:\(port)",
            "GANTRY_ADMIN_PASSWORD": password, "GANTRY_DOCKER_HOST": TestEnvironment.dockerHost,
            "GANTRY_NODE_ADDRESS": "127.0.0.1", "GANTRY_PUBLISH_ADDR": "127.0.0.1",
            "GANTRY_PORT_RANGE_START": "\(portStart)", "GANTRY_PORT_RANGE_END": "\(portEnd)",
            "GANTRY_RECONCILE_INTERVAL": "0.5", "GANTRY_BCRYPT_COST": "4", "GANTRY_JOB_MAX_RETRIES": "1",
            "GANTRY_SSH_ADDR": "off",
        ]) { _, new in new }
        environment["GANTRY_DATABASE_URL"] = nil
        if gpus {
            // A MIG-enabled A100 (fake nvidia-smi), and the gateway on a port of its own for sessions.
            environment["GANTRY_NVIDIA_SMI"] = try FakeNvidiaSMI.install(
                fixture: "a100-mig-on", in: home.appendingPathComponent("bin").path)
            environment["GANTRY_SSH_ADDR"] = "127.0.0.1:\(try FreePorts.ephemeral())"
        }
        let serverLog = home.appendingPathComponent("serve.log")
        let serve = try EndToEndTests.startServe(environment: environment, log: serverLog)
        let server = Server(url: "http://127.0.0.1:\(port)", password: password, home: home)
        var failure: (any Error)?
        do {
            let up = try await eventually { await fetch("\(server.url)/health") != nil }
            try #require(up, "gantry serve did not come up: \(tail(serverLog))")
            try await body(server)
        } catch {
            failure = error
        }
        await stop(serve)
        if let installation = installationID(serverLog) {
            await removeContainers(installation: installation)
        } else {
            Issue.record("no installation id in the serve log; its containers may be left behind")
        }
        saveArtifact(serverLog, as: "\(name)-serve.log")
        if let failure { throw failure }
    }

    /// Runs Tests/Browser/`script` with the settings of `server`; returns its exit status and output.
    static func runScript(
        _ script: String, server: Server, extra: [String: String] = [:]
    ) async throws -> (status: Int32, output: String) {
        let output = server.home.appendingPathComponent("\(script).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        let runID = String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(8))
        var environment = ProcessInfo.processInfo.environment
        environment.merge([
            "GANTRY_URL": server.url, "GANTRY_ADMIN_USER": "admin", "GANTRY_ADMIN_PASSWORD": server.password,
            "GANTRY_ARTIFACTS": artifacts.path, "GANTRY_IMAGE": "httpd",
            "GANTRY_IMAGE_REFERENCE": TestEnvironment.httpImage,
            "GANTRY_PLUGIN_IMAGE": "gantry-test/plugin-echo:latest", "GANTRY_RUN_ID": runID,
            "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1",
        ]) { _, new in new }
        environment.merge(extra) { _, new in new }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [repository.appendingPathComponent("Tests/Browser/\(script).py").path]
        process.currentDirectoryURL = repository
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let finished = try await eventually(timeout: scriptTimeout, every: .milliseconds(250)) {
            !process.isRunning
        }
        if !finished {
            // SIGTERM lets the script save its failure artifacts and close the browser.
            process.terminate()
            let ended = try await eventually(timeout: .seconds(15)) { !process.isRunning }
            if !ended { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        saveArtifact(output, as: "\(script).log")
        let status = finished ? process.terminationStatus : -1
        return (status, finished ? text : text + "\n(killed after \(scriptTimeout))")
    }

    /// SIGTERM, then SIGKILL when it does not exit in 15 s.
    static func stop(_ serve: Process) async {
        guard serve.isRunning else { return }
        serve.terminate()
        let stopped = (try? await eventually(timeout: .seconds(15)) { !serve.isRunning }) ?? false
        if !stopped { kill(serve.processIdentifier, SIGKILL) }
        serve.waitUntilExit()
    }

    /// The installation id from the serve log's "gantry serving" line: the label on its containers.
    static func installationID(_ log: URL) -> String? {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["msg"] as? String == "gantry serving"
            else { continue }
            return object["installation"] as? String
        }
        return nil
    }

    static func tail(_ log: URL, lines: Int = 30) -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Copies `file` to test-artifacts/logs/`name`.
    static func saveArtifact(_ file: URL, as name: String) {
        let folder = artifacts.appendingPathComponent("logs")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let target = folder.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: target)
        try? FileManager.default.copyItem(at: file, to: target)
    }

    @Test func aUserLaunchesAnInstanceInTheWizardAndStopsAndTerminatesIt() async throws {
        try await Self.withServer("instance-flow") { server in
            let run = try await Self.runScript("instance_flow", server: server)
            #expect(run.status == 0, "\(run.output)")
        }
    }

    @Test func anAdminRegistersAPluginAndSubmitsAJobThroughTheGeneratedForm() async throws {
        try await Self.withServer("plugin-job-flow") { server in
            let run = try await Self.runScript("plugin_job_flow", server: server)
            #expect(run.status == 0, "\(run.output)")
        }
    }

    /// With an instance, jobs, plugins, a user, an API key and a GPU session to show.
    @Test func everyPageAt360And1440PixelsWithoutErrorsOrOverflow() async throws {
        try await Self.withServer("screenshots", gpus: true) { server in
            let run = try await Self.runScript("screenshot_pages", server: server, extra: ["GANTRY_SEED": "1"])
            #expect(run.status == 0, "\(run.output)")
        }
    }
}
