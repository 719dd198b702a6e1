import Foundation
import GantryCore
import GantryServer
import GantryServices
import GantryTestSupport
import HummingbirdTesting
import Testing

/// Seed 001's sessions and GPU API against the real engine, with a recorded-output nvidia-smi.
@Suite("GPU sessions", .timeLimit(.minutes(3)))
struct SessionAPITests {
    /// A server whose GPU inventory comes from `fixture`.
    static func withGPUs(
        _ fixture: String, environment: [String: String] = [:],
        _ body: @Sendable @escaping (TestGantry) async throws -> Void
    ) async throws {
        let directory = NSTemporaryDirectory() + "gantry-smi-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let smi = try FakeNvidiaSMI.install(fixture: fixture, in: directory)
        var overrides = environment
        overrides["GANTRY_NVIDIA_SMI"] = smi
        try await TestGantry.run(environment: overrides, body)
    }

    @Test func inventoryFeedsGPUsProfilesAndCluster() async throws {
        try await Self.withGPUs("a100-mig-on") { gantry in
            let admin = try await gantry.adminToken()
            let gpus = try await gantry.request(.get, "/api/v1/gpus", token: admin)
            #expect(gpus.status == .ok)
            let items = try #require(gpus["items"] as? [[String: Any]])
            #expect(items.count == 1)
            let gpu = try #require(items.first)
            #expect(gpu["model"] as? String == "NVIDIA A100-SXM4-40GB")
            #expect(gpu["mig_mode"] as? String == "enabled")
            let devices = try #require(gpu["mig_devices"] as? [[String: Any]])
            #expect(
                devices.map { $0["profile"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == [
                    "1g.5gb", "1g.5gb", "2g.10gb", "3g.20gb",
                ])
            #expect(
                devices.allSatisfy {
                    ($0["uuid"] as? String)?.hasPrefix("MIG-") == true && $0["in_use"] as? Bool == false
                })

            let profiles = try await gantry.request(.get, "/api/v1/gpus/profiles", token: admin)
            let rows = try #require(profiles["items"] as? [[String: Any]])
            // Seed 001's table comes first, in its order.
            #expect(
                rows.prefix(5).map { $0["profile"] as? String } == [
                    "1g.5gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb",
                ])
            let small = try #require(rows.first { $0["profile"] as? String == "1g.5gb" })
            #expect(
                small["total"] as? Int == 2 && small["free"] as? Int == 2 && small["slice_fraction"] as? String == "1/7"
            )

            let cluster = try await gantry.request(.get, "/api/v1/cluster", token: admin)
            let capacity = try #require(cluster["capacity"] as? [String: Any])
            #expect(capacity["gpus"] as? Int == 4)
        }
    }

    @Test func noNvidiaSMIMeansNoGPUsNotAnError() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let gpus = try await gantry.request(.get, "/api/v1/gpus", token: admin)
            #expect(gpus.status == .ok)
            #expect(gpus["total"] as? Int == 0)
            let refused = try await gantry.request(
                .post, "/api/v1/sessions", token: admin, json: ["user_id": "admin", "mig_profile": "1g.5gb"])
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "gpu_unavailable")
            let plain = try await gantry.request(
                .post, "/api/v1/sessions", token: admin, json: ["user_id": "admin", "mig_profile": "none"])
            #expect(plain.status == .created, "\(plain.text)")
            #expect(plain["gpu_allocation"] as? String == "none")
        }
    }

    @Test func adminCreatesASessionWithASliceAndAWorkspace() async throws {
        try await Self.withGPUs("a100-mig-on") { gantry in
            let admin = try await gantry.adminToken()
            let alice = try await gantry.createUser("alice", adminToken: admin)
            let created = try await gantry.request(
                .post, "/api/v1/sessions", token: admin,
                json: ["user_id": "alice", "mig_profile": "3g.20gb", "ttl_minutes": 60])
            #expect(created.status == .created, "\(created.text)")
            #expect(created["status"] as? String == "running")
            #expect(created["ssh_user"] as? String == "alice")
            #expect(created["gpu_allocation"] as? String == "mig")
            #expect(created["gpu_uuid"] as? String == "MIG-8d1f5c2a-6b4e-5a93-a7c0-2e9b4d61f385")
            #expect((created["ssh_command"] as? String)?.contains("alice@127.0.0.1") == true)
            let createdAt = try #require((created["created_at"] as? String).flatMap(parseDate))
            let expiresAt = try #require((created["expires_at"] as? String).flatMap(parseDate))
            #expect(abs(expiresAt.timeIntervalSince(createdAt) - 3600) < 1)
            let id = try #require(created["session_id"] as? String)
            let container = try #require(created["container_id"] as? String)

            // The GPU reaches the container (env attach mode here), and the workspace is alice's.
            let inside = try await runInContainer(
                container, ["sh", "-c", "echo $NVIDIA_VISIBLE_DEVICES; id -u; pwd; touch /workspace/kept && echo ok"])
            let lines = inside.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "MIG-8d1f5c2a-6b4e-5a93-a7c0-2e9b4d61f385")
            #expect(lines.dropFirst().first == "20000")
            #expect(lines.contains("/workspace") && lines.last == "ok", "\(inside)")
            let workspace = try #require(created["workspace"] as? String)
            let attributes = try FileManager.default.attributesOfItem(atPath: workspace)
            #expect((attributes[.ownerAccountID] as? NSNumber)?.intValue == 20000)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)

            // Hardening as seed 001 asks.
            let status = try await runInContainer(
                container, ["sh", "-c", "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status"])
            #expect(status.stdout.contains("CapEff:\t0000000000000000"))
            #expect(status.stdout.contains("NoNewPrivs:\t1"))

            // The device shows as held, by alice, to the admin; alice sees her session.
            let gpus = try await gantry.request(.get, "/api/v1/gpus", token: admin)
            let devices = try #require((gpus["items"] as? [[String: Any]])?.first?["mig_devices"] as? [[String: Any]])
            let held = try #require(devices.first { $0["profile"] as? String == "3g.20gb" })
            #expect(held["in_use"] as? Bool == true)
            #expect((held["held_by"] as? [String: Any])?["user_id"] as? String == "alice")
            let mine = try await gantry.request(.get, "/api/v1/sessions", token: alice.token)
            #expect(mine["total"] as? Int == 1)
            let stats = try await gantry.request(.get, "/api/v1/sessions/stats", token: admin)
            #expect(stats["active"] as? Int == 1 && stats["gpu_devices_allocated"] as? Int == 1)
            let quota = try await gantry.request(.get, "/api/v1/users/me/quota", token: alice.token)
            #expect((quota["usage"] as? [String: Any])?["gpus"] as? Int == 1)

            // Extend, then delete: the container goes, the device is free, the workspace stays.
            let extended = try await gantry.request(
                .patch, "/api/v1/sessions/\(id)", token: admin, json: ["extend_minutes": 30])
            #expect(extended.status == .ok)
            let later = try #require((extended["expires_at"] as? String).flatMap(parseDate))
            #expect(abs(later.timeIntervalSince(expiresAt) - 1800) < 1)
            let deleted = try await gantry.request(.delete, "/api/v1/sessions/\(id)", token: admin)
            #expect(deleted.status == .ok)
            #expect(deleted["status"] as? String == "terminated")
            let gone = try await withDocker { try await $0.inspectContainer(id: container) }
            #expect(gone == nil)
            #expect(FileManager.default.fileExists(atPath: workspace + "/kept"))
            let profiles = try await gantry.request(.get, "/api/v1/gpus/profiles", token: admin)
            let row = (profiles["items"] as? [[String: Any]])?.first { $0["profile"] as? String == "3g.20gb" }
            #expect(row?["free"] as? Int == 1)
        }
    }

    @Test func concurrentRequestsNeverShareADevice() async throws {
        try await Self.withGPUs("a100-mig-on") { gantry in
            let admin = try await gantry.adminToken()
            _ = try await gantry.createUser(
                "carol", adminToken: admin, quota: ["gpus": 20, "cpu": 20, "memory_mb": 20000])
            let results = try await withThrowingTaskGroup(of: APIResponse.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await gantry.request(
                            .post, "/api/v1/sessions", token: admin,
                            json: ["user_id": "carol", "mig_profile": "1g.5gb"])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let created = results.filter { $0.status == .created }
            #expect(created.count == 2, "\(results.map(\.text))")
            #expect(Set(created.compactMap { $0["gpu_uuid"] as? String }).count == 2)
            #expect(results.filter { $0.status == .conflict }.allSatisfy { $0.errorCode == "gpu_unavailable" })
            #expect(results.filter { $0.status == .conflict }.count == 6)
        }
    }

    @Test func aGPUWithoutMIGServesAMIGRequestWhole() async throws {
        try await Self.withGPUs("a100-mig-off") { gantry in
            let admin = try await gantry.adminToken()
            let created = try await gantry.request(
                .post, "/api/v1/sessions", token: admin, json: ["user_id": "admin", "mig_profile": "3g.20gb"])
            #expect(created.status == .created, "\(created.text)")
            #expect(created["gpu_allocation"] as? String == "whole_gpu_fallback")
            #expect(created["gpu_uuid"] as? String == "GPU-4f6d2a1e-8c3b-5e7a-9d20-b1c6e3f48a57")
            _ = try await gantry.createUser("dave", adminToken: admin)
            let second = try await gantry.request(
                .post, "/api/v1/sessions", token: admin, json: ["user_id": "dave", "mig_profile": "full"])
            #expect(second.status == .conflict)
        }
    }

    @Test func quotaCountsGPUs() async throws {
        try await Self.withGPUs("a100-mig-on") { gantry in
            let admin = try await gantry.adminToken()
            let erin = try await gantry.createUser("erin", adminToken: admin)
            let first = try await gantry.request(
                .post, "/api/v1/sessions", token: erin.token, json: ["mig_profile": "1g.5gb"])
            #expect(first.status == .created, "\(first.text)")
            let second = try await gantry.request(
                .post, "/api/v1/sessions", token: erin.token, json: ["mig_profile": "1g.5gb", "name": "two"])
            #expect(second.status == .forbidden)
            #expect(second.errorCode == "quota_exceeded")
            #expect(second["resource"] as? String == "gpus")
        }
    }

    @Test func badRequestsAreRefusedAndChangeNothing() async throws {
        try await Self.withGPUs("a100-mig-on") { gantry in
            let admin = try await gantry.adminToken()
            let frank = try await gantry.createUser("frank", adminToken: admin)
            _ = try await gantry.createUser("grace", adminToken: admin)
            let cases: [(String?, [String: Any], Int, String)] = [
                (admin, ["user_id": "frank", "mig_profile": "9g.99"], 400, "invalid_request"),
                (admin, ["user_id": "frank", "mig_profile": "1g.5gb", "ttl_minutes": 0], 400, "invalid_request"),
                (admin, ["user_id": "frank", "mig_profile": "1g.5gb", "name": "Bad Name"], 400, "invalid_request"),
                (admin, ["user_id": "nobody", "mig_profile": "1g.5gb"], 404, "not_found"),
                (admin, ["user_id": "frank", "mig_profile": "1g.5gb", "image": "no such image"], 400, "unknown_image"),
                (frank.token, ["user_id": "grace", "mig_profile": "1g.5gb"], 403, "forbidden"),
                // Ordinary users get catalog images only: no pulls from, or probes of, any address.
                (frank.token, ["mig_profile": "1g.5gb", "image": "127.0.0.1:9/x:1"], 403, "image_not_allowed"),
                (frank.token, ["mig_profile": "1g.5gb", "image": "evil.example/x:1"], 403, "image_not_allowed"),
                (frank.token, ["mig_profile": "1g.5gb", "image": "busybox:latest"], 403, "image_not_allowed"),
                (nil, ["mig_profile": "1g.5gb"], 401, "not_authenticated"),
            ]
            for (token, body, status, code) in cases {
                let response = try await gantry.request(.post, "/api/v1/sessions", token: token, json: body)
                #expect(response.status.code == status, "\(body): \(response.text)")
                #expect(response.errorCode == code, "\(body): \(response.text)")
            }
            let missing = try await gantry.request(.get, "/api/v1/sessions/\(UUID().uuidString)", token: admin)
            #expect(missing.status == .notFound)
            let stats = try await gantry.request(.get, "/api/v1/sessions/stats", token: admin)
            #expect(stats["total"] as? Int == 0)
            let containers = try await withDocker {
                try await $0.listContainers(labels: [ContainerLabels.installation: gantry.gantry.installationID])
            }
            #expect(containers.isEmpty)
        }
    }

    @Test func expiredSessionsAreEndedAndTheirDevicesFreed() async throws {
        try await Self.withGPUs("a100-mig-on") { gantry in
            let admin = try await gantry.adminToken()
            let created = try await gantry.request(
                .post, "/api/v1/sessions", token: admin, json: ["user_id": "admin", "mig_profile": "2g.10gb"])
            #expect(created.status == .created, "\(created.text)")
            let id = try #require((created["session_id"] as? String).flatMap(UUID.init(uuidString:)))
            let container = try #require(created["container_id"] as? String)
            // Backdate the expiry as if the TTL had run out; the reaper runs every second here.
            var session = try #require(try await gantry.store.session(id: id))
            session.expiresAt = Date().addingTimeInterval(-1)
            #expect(try await gantry.store.updateSession(session, ifStateIs: .running))
            let ended = try await eventually(timeout: .seconds(15)) {
                try await gantry.store.session(id: id)?.state == .expired
            }
            #expect(ended)
            // The ending is recorded first, then the container is removed.
            let gone = try await eventually(timeout: .seconds(15)) {
                try await withDocker { try await $0.inspectContainer(id: container) } == nil
            }
            #expect(gone)
            let again = try await gantry.request(
                .post, "/api/v1/sessions", token: admin, json: ["user_id": "admin", "mig_profile": "2g.10gb"])
            #expect(again.status == .created, "the device was not freed: \(again.text)")
        }
    }

    @Test func aDeviceRequestThatTheEngineCannotMeetFailsTheSessionAndFreesTheDevice() async throws {
        // No NVIDIA runtime here: Docker refuses the device request, as it would on a broken host.
        try await Self.withGPUs("a100-mig-on", environment: ["GANTRY_GPU_ATTACH": "device-request"]) { gantry in
            let admin = try await gantry.adminToken()
            let refused = try await gantry.request(
                .post, "/api/v1/sessions", token: admin, json: ["user_id": "admin", "mig_profile": "3g.20gb"])
            #expect(refused.status == .serviceUnavailable, "\(refused.text)")
            #expect(refused.errorCode == "session_failed")
            let failed = try await gantry.request(.get, "/api/v1/sessions?status=failed", token: admin)
            #expect(failed["total"] as? Int == 1)
            let profiles = try await gantry.request(.get, "/api/v1/gpus/profiles", token: admin)
            let row = (profiles["items"] as? [[String: Any]])?.first { $0["profile"] as? String == "3g.20gb" }
            #expect(row?["free"] as? Int == 1)
        }
    }

    @Test func sessionContainersCannotReachEachOther() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let first = try await gantry.request(
                .post, "/api/v1/sessions", token: admin,
                json: ["user_id": "admin", "mig_profile": "none", "name": "one"])
            let second = try await gantry.request(
                .post, "/api/v1/sessions", token: admin,
                json: ["user_id": "admin", "mig_profile": "none", "name": "two"])
            #expect(first.status == .created && second.status == .created, "\(first.text) \(second.text)")
            let listener = try #require(first["container_id"] as? String)
            let dialer = try #require(second["container_id"] as? String)
            let address = try #require(
                try await withDocker { try await $0.containerAddress(id: listener, network: "gantry-test-sessions") })
            // A listener in the first session answers itself but not the second.
            _ = try await runInContainer(listener, ["sh", "-c", "nc -l -p 9000 -e echo hello >/dev/null 2>&1 &"])
            try await Task.sleep(for: .milliseconds(300))
            let local = try await runInContainer(listener, ["sh", "-c", "nc -w 2 127.0.0.1 9000 </dev/null"])
            #expect(local.stdout.contains("hello"), "\(local)")
            let remote = try await runInContainer(
                dialer, ["sh", "-c", "nc -w 2 \(address) 9000 </dev/null; echo rc=$?"])
            #expect(!remote.stdout.contains("hello"), "\(remote)")
        }
    }
}

@Suite("GPU sessions across a restart", .timeLimit(.minutes(2)))
struct SessionRestartTests {
    @Test(arguments: DatabaseKind.allCases)
    func aRestartedServerEndsWhatExpiredWhileItWasDown(_ kind: DatabaseKind) async throws {
        let database = try TestDatabase.create(kind)
        defer { database.drop() }
        var environment = [
            "GANTRY_DATA_DIR": database.dataDirectory, "GANTRY_DOCKER_HOST": TestEnvironment.dockerHost,
            "GANTRY_HTTP_ADDR": "127.0.0.1:0", "GANTRY_ADMIN_PASSWORD": TestGantry.adminPassword,
            "GANTRY_BCRYPT_COST": "4", "GANTRY_NODE_ADDRESS": "127.0.0.1",
        ].merging(TestEnvironment.serverDefaults) { current, _ in current }
        if let url = database.postgresURL { environment["GANTRY_DATABASE_URL"] = url }
        let configuration = try GantryConfiguration.load(environment: environment)

        let first = try await GantryApplication.build(configuration: configuration, logger: TestEnvironment.logger)
        let installation = first.installationID
        let (sessionID, containerID) = try await first.application.test(.live) { client in
            let gantry = TestGantry(client: client, gantry: first, configuration: configuration)
            let admin = try await gantry.adminToken()
            let created = try await gantry.request(
                .post, "/api/v1/sessions", token: admin, json: ["user_id": "admin", "mig_profile": "none"])
            #expect(created.status == .created, "\(created.text)")
            return (
                try #require((created["session_id"] as? String).flatMap(UUID.init(uuidString:))),
                try #require(created["container_id"] as? String)
            )
        }
        await first.shutdown()

        // Time passes while the server is down: the session's TTL runs out.
        let second = try await GantryApplication.build(configuration: configuration, logger: TestEnvironment.logger)
        do {
            var session = try #require(try await second.store.session(id: sessionID))
            #expect(session.state == .running)
            session.expiresAt = Date().addingTimeInterval(-60)
            #expect(try await second.store.updateSession(session, ifStateIs: .running))
            try await second.application.test(.live) { _ in
                let ended = try await eventually(timeout: .seconds(15)) {
                    try await second.store.session(id: sessionID)?.state == .expired
                }
                #expect(ended)
                let gone = try await eventually(timeout: .seconds(15)) {
                    try await withDocker { try await $0.inspectContainer(id: containerID) } == nil
                }
                #expect(gone)
            }
        } catch {
            await removeContainers(installation: installation)
            await second.shutdown()
            throw error
        }
        await removeContainers(installation: installation)
        await second.shutdown()
    }
}
