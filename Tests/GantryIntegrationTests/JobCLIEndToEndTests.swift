import Foundation
import GantryTestSupport
import Testing

/// Drives the built binary as an admin and a user would: serve, register the example classifier
/// from its plugin.json, submit a job from a file and wait for its result, list, show, cancel,
/// requeue and remove.
@Suite struct JobCLIEndToEndTests {
    @Test func anAdminRegistersTheClassifierAndAUserRunsAJobFromTheCLI() async throws {
        let binary = EndToEndTests.binary
        #expect(FileManager.default.isExecutableFile(atPath: binary), "build the gantry binary first: \(binary)")
        let home = FileManager.default.temporaryDirectory.appendingPathComponent(
            TestEnvironment.uniqueName("gantry-jobs-e2e"))
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let port = try FreePorts.ephemeral()
        let server = "http://127.0.0.1:\(port)"
        let password = "e2e-admin-pass-1"
        var environment = ProcessInfo.processInfo.environment
        environment.merge(TestEnvironment.serverDefaults) { _, new in new }
        environment.merge([
            "GANTRY_DATA_DIR": home.appendingPathComponent("data").path, "GANTRY_HTTP_ADDR": "127.0.0.1:\(port)",
            "GANTRY_ADMIN_PASSWORD": password, "GANTRY_DOCKER_HOST": TestEnvironment.dockerHost,
            "GANTRY_NODE_ADDRESS": "127.0.0.1", "GANTRY_BCRYPT_COST": "4", "GANTRY_SSH_ADDR": "off",
            "GANTRY_JOB_BACKOFF": "100ms", "GANTRY_JOB_MAX_RETRIES": "1", "GANTRY_JOB_CONCURRENCY": "2",
        ]) { _, new in new }
        environment["GANTRY_DATABASE_URL"] = nil
        let serve = try EndToEndTests.startServe(
            environment: environment, log: home.appendingPathComponent("serve.log"))
        defer { if serve.isRunning { serve.terminate() } }
        #expect(try await eventually { await fetch("\(server)/health") != nil }, "gantry serve did not come up")

        let client = ["GANTRY_CONFIG_DIR": home.appendingPathComponent("config").path, "HOME": home.path]
        func gantry(_ arguments: [String], input: String? = nil) throws -> EndToEndTests.Run {
            try EndToEndTests.gantry(arguments, environment: client, input: input)
        }
        let login = try gantry(
            ["login", "--server", server, "--username", "admin", "--password-stdin"], input: password + "\n")
        #expect(login.status == 0, "login: \(login.errors)")

        // The example plugin's own plugin.json, as the README's quick start uses it.
        let manifest = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("plugins/classifier/plugin.json").path
        let register = try gantry(["plugins", "register", manifest])
        #expect(register.status == 0, "register: \(register.errors)")
        let list = try gantry(["plugins", "list"])
        #expect(list.output.contains("classifier") && list.output.contains("gantry/classifier:1.0.0"), "\(list.output)")
        let show = try gantry(["plugins", "show", "classifier"])
        #expect(show.output.contains("features"), "\(show.output)")

        let input = home.appendingPathComponent("input.json")
        try Data(#"{"features": [1.0, 2.0, 3.0, 4.0], "model_params": {"threshold": 0.5}}"#.utf8).write(to: input)
        let submit = try gantry(["jobs", "submit", "classifier", "--input", input.path, "--wait", "--timeout", "60"])
        #expect(submit.status == 0, "submit --wait: \(submit.errors)")
        let result = (try? JSONSerialization.jsonObject(with: Data(submit.output.utf8))) as? [String: Any]
        #expect(["class_A", "class_B"].contains(result?["prediction"] as? String ?? ""), "\(submit.output)")

        // Bad input is refused with the schema's reason, and nothing is queued.
        let bad = home.appendingPathComponent("bad.json")
        try Data(#"{"features": "not a list"}"#.utf8).write(to: bad)
        let refused = try gantry(["jobs", "submit", "classifier", "--input", bad.path])
        #expect(refused.status == 1)
        #expect(refused.errors.contains("input_invalid") && refused.errors.contains("/features"), "\(refused.errors)")

        let jobs = try gantry(["jobs", "list", "--json"])
        let listed = (try? JSONSerialization.jsonObject(with: Data(jobs.output.utf8))) as? [String: Any]
        let items = listed?["items"] as? [[String: Any]] ?? []
        #expect(items.count == 1, "\(jobs.output)")
        let id = try #require(items.first?["id"] as? String)
        let detail = try gantry(["jobs", "show", String(id.prefix(8))])
        #expect(detail.status == 0 && detail.output.contains("completed"), "\(detail.output) \(detail.errors)")

        // A failing plugin ends failed and dead-lettered; an admin requeues it.
        let failing = home.appendingPathComponent("failing.json")
        try Data(#"{"name": "failing", "version": "1", "docker_image_url": "gantry-test/plugin-fail:latest"}"#.utf8)
            .write(to: failing)
        #expect(try gantry(["plugins", "register", failing.path]).status == 0)
        let failed = try gantry(["jobs", "submit", "failing", "--input-json", "{}", "--wait", "--timeout", "60"])
        #expect(failed.status == 1)
        #expect(failed.errors.contains("deliberate failure"), "\(failed.errors)")
        let dead = try gantry(["jobs", "list", "--dead", "--json"])
        let deadItems = ((try? JSONSerialization.jsonObject(with: Data(dead.output.utf8))) as? [String: Any])?["items"]
        let deadID = try #require(((deadItems as? [[String: Any]])?.first)?["id"] as? String, "\(dead.output)")
        let requeue = try gantry(["jobs", "requeue", deadID])
        #expect(requeue.status == 0, "requeue: \(requeue.errors)")

        // Numbers keep their value and spelling from the input file to the plugin and back to what
        // the CLI prints, as text and as --json.
        let echo = home.appendingPathComponent("echo.json")
        try Data(#"{"name": "echo", "version": "1", "docker_image_url": "gantry-test/plugin-echo:latest"}"#.utf8)
            .write(to: echo)
        #expect(try gantry(["plugins", "register", echo.path]).status == 0)
        let exact = home.appendingPathComponent("exact.json")
        try Data(#"{"big": 99999999999999999999999, "neg": -0, "one": 1.0, "e": 1e2, "tenth": 0.1}"#.utf8)
            .write(to: exact)
        let echoed = try gantry(["jobs", "submit", "echo", "--input", exact.path, "--wait", "--timeout", "60"])
        #expect(echoed.status == 0, "submit echo: \(echoed.errors)")
        let literals = [#""big" : 99999999999999999999999"#, #""neg" : -0"#, #""one" : 1.0"#, #""e" : 1e2"#]
        for literal in literals + [#""tenth" : 0.1"#] {
            #expect(echoed.output.contains(literal), "\(literal) in \(echoed.output)")
        }
        let allJobs = try gantry(["jobs", "list", "--json"])
        let echoJob =
            (((try? JSONSerialization.jsonObject(with: Data(allJobs.output.utf8))) as? [String: Any])?["items"]
            as? [[String: Any]])?.first { $0["plugin_name"] as? String == "echo" }
        let echoID = try #require(echoJob?["id"] as? String, "\(allJobs.output)")
        let shownJSON = try gantry(["jobs", "show", echoID, "--json"])
        let shownText = try gantry(["jobs", "show", echoID])
        for literal in literals {
            // Once in the input, once in the result.
            #expect(
                shownJSON.output.components(separatedBy: literal).count - 1 == 2, "\(literal) in \(shownJSON.output)")
            #expect(
                shownText.output.components(separatedBy: literal).count - 1 == 2, "\(literal) in \(shownText.output)")
        }
        for output in [echoed.output, shownJSON.output, shownText.output] {
            #expect(!output.contains("gantry-number:") && !output.contains("1e+23"), "\(output)")
        }

        #expect(try gantry(["plugins", "rm", "failing"]).status == 0)
        #expect(try gantry(["plugins", "show", "failing"]).status == 1)
        serve.terminate()
        serve.waitUntilExit()
        #expect(serve.terminationStatus == 0)
    }
}
