import Foundation
import GantryCore
import GantryServices
import GantryTestSupport
import Testing

/// The real OpenSSH client through the gateway built into the server, into session and instance
/// containers on the real engine.
@Suite("SSH gateway end to end", .timeLimit(.minutes(4)))
struct SSHGatewayEndToEndTests {
    /// A server with a fake A100 (MIG on), alice with a registered key and a running 1g.5gb session.
    static func withAliceSession(
        environment: [String: String] = [:],
        _ body: @Sendable @escaping (TestGantry, OpenSSHClient, [String: Any], String) async throws -> Void
    ) async throws {
        let directory = NSTemporaryDirectory() + "gantry-smi-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var overrides = environment
        overrides["GANTRY_NVIDIA_SMI"] = try FakeNvidiaSMI.install(fixture: "a100-mig-on", in: directory)
        try await TestGantry.run(environment: overrides) { gantry in
            let port = try await gatewayPort(gantry)
            let client = try await OpenSSHClient.make(port: port)
            defer { client.remove() }
            let admin = try await gantry.adminToken()
            let alice = try await gantry.createUser("alice", adminToken: admin)
            let added = try await gantry.request(
                .post, "/api/v1/users/me/ssh-keys", token: alice.token,
                json: ["name": "laptop", "public_key": try client.publicKey])
            #expect(added.status == .created, "\(added.text)")
            let session = try await gantry.request(
                .post, "/api/v1/sessions", token: admin,
                json: ["user_id": "alice", "mig_profile": "1g.5gb", "name": "train", "ttl_minutes": 60])
            #expect(session.status == .created, "\(session.text)")
            try await body(gantry, client, session.json, alice.token)
        }
    }

    static func gatewayPort(_ gantry: TestGantry) async throws -> Int {
        let gateway = try #require(gantry.gantry.sshGateway)
        var port: Int?
        _ = try await eventually(timeout: .seconds(10)) {
            port = gateway.localAddress?.port
            return port != nil
        }
        return try #require(port)
    }

    @Test func aRegisteredKeyLandsInTheUsersSessionWithItsGPUAndWorkspace() async throws {
        try await Self.withAliceSession { gantry, client, session, _ in
            let result = try await client.ssh(
                "alice", ["echo $NVIDIA_VISIBLE_DEVICES; id -un; id -u; pwd; echo $HOME"])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == session["gpu_uuid"] as? String)
            #expect(Array(lines.dropFirst()) == ["alice", "20000", "/workspace", "/workspace"], "\(result)")

            let failing = try await client.ssh("alice", ["exit 7"])
            #expect(failing.status == 7)

            // The same session by name; and stdin streams through (tar into /workspace).
            let payload = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let piped = try await client.ssh(
                "alice+train", ["cat > /workspace/blob; wc -c < /workspace/blob"], input: payload)
            #expect(piped.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "3000000", "\(piped.stderr)")
            let workspace = try #require(session["workspace"] as? String)
            #expect(FileManager.default.contents(atPath: workspace + "/blob") == payload)

            // Sessions, devices and SSH traffic show in /metrics.
            let metrics = try await gantry.request(.get, "/metrics").text
            #expect(metrics.contains("gantry_sessions{state=\"running\"} 1"), "\(metrics)")
            #expect(metrics.contains("gantry_gpu_devices_allocated{node=\"local\",kind=\"mig\"} 1"))
            #expect(metrics.contains("gantry_ssh_connections_total 3"))
            let received = metrics.split(separator: "\n").first { $0.hasPrefix("gantry_ssh_received_bytes_total ") }
            #expect(received.flatMap { Int($0.split(separator: " ").last ?? "") }.map { $0 >= 3_000_000 } == true)
        }
    }

    @Test func scpAndSftpWorkWithoutAnSSHDaemonInTheImage() async throws {
        try await Self.withAliceSession { gantry, client, session, _ in
            let local = client.directory + "/upload.txt"
            try "sent with scp\n".write(toFile: local, atomically: true, encoding: .utf8)
            let scp = try await client.scp([local, "alice@127.0.0.1:/workspace/upload.txt"])
            #expect(scp.status == 0, "\(scp.stderr)")
            let workspace = try #require(session["workspace"] as? String)
            #expect(FileManager.default.contents(atPath: workspace + "/upload.txt") == Data("sent with scp\n".utf8))

            let fetched = client.directory + "/fetched.txt"
            let sftp = try await client.sftp("alice", batch: "get /workspace/upload.txt \(fetched)\nls /workspace\n")
            #expect(sftp.status == 0, "\(sftp.stderr)")
            #expect(FileManager.default.contents(atPath: fetched) == Data("sent with scp\n".utf8))
        }
    }

    @Test func aPTYGetsTheTerminalTypeAndSize() async throws {
        try await Self.withAliceSession { _, client, _, _ in
            // script(1) gives ssh a real terminal of a known size, as a person's would be. Engines
            // before API 1.42 size an exec TTY just after it starts, hence the pause.
            let command =
                "stty rows 40 cols 100; TERM=xterm-256color /usr/bin/ssh "
                + client.options().map { "'\($0)'" }.joined(separator: " ")
                + " -tt -p \(client.port) alice@127.0.0.1 'sleep 1; stty -a; echo term=$TERM; tty'"
            let result = try await OpenSSHClient.run("/usr/bin/script", ["-qfec", command, "/dev/null"])
            #expect(
                result.stdout.contains("rows 40") && result.stdout.contains("columns 100"),
                "\(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains("term=xterm-256color"))
            #expect(result.stdout.contains("/dev/pts/"))
        }
    }

    /// Input piped into `ssh -tt` reaches the shell: the client's EOF right after it is not
    /// passed on to the terminal (as with OpenSSH's sshd), so the shell reads and runs it.
    @Test func pipedInputIntoATerminalIsRunNotLost() async throws {
        try await Self.withAliceSession { _, client, _, _ in
            let command =
                "printf 'echo $((6*7))\\nexit\\n' | /usr/bin/ssh "
                + client.options().map { "'\($0)'" }.joined(separator: " ")
                + " -tt -p \(client.port) alice@127.0.0.1"
            let result = try await OpenSSHClient.run("/bin/sh", ["-c", command])
            #expect(result.stdout.contains("42"), "\(result.stdout) \(result.stderr)")
        }
    }

    @Test func strangersKeysAndLoginsAreRefusedClearly() async throws {
        try await Self.withAliceSession { gantry, client, _, _ in
            let admin = try await gantry.adminToken()
            let bob = try await gantry.createUser("bob", adminToken: admin)
            let bobKey = try await client.keygen(name: "bob", type: "ed25519")
            let added = try await gantry.request(
                .post, "/api/v1/users/me/ssh-keys", token: bob.token, json: ["public_key": bobKey])
            #expect(added.status == .created)

            // bob's key never reaches alice's container.
            let asAlice = try await client.ssh("alice", ["true"], key: "bob")
            #expect(asAlice.status == 255)
            #expect(asAlice.stderr.contains("Permission denied"), "\(asAlice.stderr)")
            // bob is let in but has nothing to enter: a clear message, a closed connection.
            let started = ContinuousClock.now
            let nothing = try await client.ssh("bob", ["true"], key: "bob")
            #expect(nothing.status != 0)
            #expect(nothing.stderr.contains("bob has no running session"), "\(nothing.stderr)")
            #expect(ContinuousClock.now - started < .seconds(10))
            // An unknown target names what exists.
            let wrong = try await client.ssh("alice+nope", ["true"])
            #expect(wrong.status != 0)
            #expect(wrong.stderr.contains("alice+train"), "\(wrong.stderr)")
            // RSA keys are refused at registration with the reason.
            let rsa = try await client.keygen(name: "rsa", type: "rsa")
            let refused = try await gantry.request(
                .post, "/api/v1/users/me/ssh-keys", token: bob.token, json: ["public_key": rsa])
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("ed25519"))
            // A removed key stops working.
            let keys = try await gantry.request(.get, "/api/v1/users/me/ssh-keys", token: bob.token)
            let keyID = try #require((keys["items"] as? [[String: Any]])?.first?["id"] as? String)
            let deleted = try await gantry.request(.delete, "/api/v1/users/me/ssh-keys/\(keyID)", token: bob.token)
            #expect(deleted.status == .noContent)
            let afterRemoval = try await client.ssh("bob", ["true"], key: "bob")
            #expect(afterRemoval.stderr.contains("Permission denied"))
        }
    }

    @Test func instancesAreReachableByName() async throws {
        try await Self.withAliceSession { gantry, client, _, aliceToken in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let launched = try await gantry.launch("web", token: aliceToken)
            let id = try #require(launched["id"] as? String)
            try await gantry.waitFor(id, state: "running", token: aliceToken)
            let result = try await client.ssh("alice+web", ["cat /www/index.html"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("gantry test instance"))
        }
    }

    @Test func aConnectedUserKeepsTheSessionAliveAndLosesItWhenItEnds() async throws {
        try await Self.withAliceSession(environment: ["GANTRY_SSH_TTL_GRACE": "10m"]) { gantry, client, session, _ in
            let id = try #require(session["session_id"] as? String)
            let admin = try await gantry.adminToken()
            // Shorten the TTL to one minute; a connection then pushes expires_at ten minutes out.
            let shortened = try await gantry.request(
                .patch, "/api/v1/sessions/\(id)", token: admin, json: ["ttl_minutes": 1])
            #expect(shortened.status == .ok, "\(shortened.text)")
            async let held = client.ssh("alice", ["sleep 30"])
            let extended = try await eventually(timeout: .seconds(15)) {
                let current = try await gantry.request(.get, "/api/v1/sessions/\(id)", token: admin)
                guard let text = current["expires_at"] as? String, let date = parseDate(text)
                else { return false }
                return date.timeIntervalSinceNow > 9 * 60
            }
            #expect(extended)
            // Ending the session ends the connection promptly and cleanly.
            let started = ContinuousClock.now
            let deleted = try await gantry.request(.delete, "/api/v1/sessions/\(id)", token: admin)
            #expect(deleted.status == .ok)
            let result = try await held
            #expect(ContinuousClock.now - started < .seconds(20))
            #expect(result.status != 0)
        }
    }

    /// Fifty connections from one address at once are a burst the default startup limits refuse
    /// in part (as OpenSSH's MaxStartups does); a host that bursts like this gets a higher limit,
    /// and then every one of them succeeds.
    @Test func fiftyConcurrentSSHCommandsAllSucceed() async throws {
        let burst = ["GANTRY_SSH_PER_SOURCE_MAX_STARTUPS": "64", "GANTRY_SSH_MAX_STARTUPS": "64:30:128"]
        try await Self.withAliceSession(environment: burst) { _, client, _, _ in
            let results = try await withThrowingTaskGroup(of: OpenSSHClient.ProcessResult.self) { group in
                for index in 0..<50 {
                    group.addTask { try await client.ssh("alice", ["echo run-\(index)"]) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let failures = results.filter { $0.status != 0 }
            #expect(failures.isEmpty, "\(failures.map(\.stderr))")
            #expect(Set(results.map { $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }).count == 50)
        }
    }
}

/// Gantry's timestamps, with or without fractional seconds.
func parseDate(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
}
