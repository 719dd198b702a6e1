import Foundation
import Testing

@Suite struct QuotaAndPlacementTests {
    /// Check and reservation are one transaction: 20 concurrent launches against a quota of 5
    /// leave exactly 5 instances.
    @Test(arguments: DatabaseKind.allCases)
    func concurrentLaunchesNeverExceedTheQuota(_ kind: DatabaseKind) async throws {
        try await TestGantry.run(kind, environment: ["GANTRY_RECONCILE_INTERVAL": "5"]) { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let (_, alice) = try await gantry.createUser("alice", adminToken: admin)
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let response = try await gantry.launch("c\(index)", token: alice, cpu: 0.1, memoryMB: 32)
                        return (Int(response.status.code), response.errorCode)
                    }
                }
                var all: [(Int, String?)] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(statuses.filter { $0.0 == 202 }.count == 5)
            #expect(statuses.filter { $0.0 == 403 && $0.1 == "quota_exceeded" }.count == 15)
            let list = try await gantry.request(.get, "/api/v1/instances?limit=100", token: alice)
            #expect(list["total"] as? Int == 5)
            let ports = ((list["items"] as? [[String: Any]]) ?? []).compactMap { $0["host_port"] as? Int }
            #expect(Set(ports).count == 5, "host ports must be unique: \(ports)")
        }
    }

    @Test func overQuotaNamesTheResourceAndChangesNothing() async throws {
        try await TestGantry.run(environment: ["GANTRY_RECONCILE_INTERVAL": "5"]) { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let (_, alice) = try await gantry.createUser(
                "alice", adminToken: admin, quota: ["instances": 2, "cpu": 1, "memory_mb": 256])
            let cpu = try await gantry.launch("big", token: alice, cpu: 2, memoryMB: 64)
            #expect(cpu.status == .forbidden)
            #expect(cpu.errorCode == "quota_exceeded")
            #expect(cpu["resource"] as? String == "cpu")
            let memory = try await gantry.launch("big", token: alice, cpu: 0.5, memoryMB: 512)
            #expect(memory["resource"] as? String == "memory")
            #expect(try await gantry.launch("a", token: alice).status == .accepted)
            #expect(try await gantry.launch("b", token: alice).status == .accepted)
            let third = try await gantry.launch("c", token: alice)
            #expect(third["resource"] as? String == "instances")
            let quota = try await gantry.request(.get, "/api/v1/users/me/quota", token: alice)
            #expect((quota["limits"] as? [String: Any])?["instances"] as? Int == 2)
            #expect((quota["usage"] as? [String: Any])?["instances"] as? Int == 2)
        }
    }

    @Test func whenNoNodeCanTakeALaunchTheRefusalSaysWhy() async throws {
        // A range of three host ports: the fourth launch has nowhere to go.
        let (start, _) = TestEnvironment.portRange(size: 3)
        let environment = [
            "GANTRY_RECONCILE_INTERVAL": "5", "GANTRY_PORT_RANGE_START": "\(start)",
            "GANTRY_PORT_RANGE_END": "\(start + 2)",
        ]
        try await TestGantry.run(environment: environment) { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let portCount = gantry.configuration.portRange.count
            #expect(portCount == 3)
            for index in 0..<portCount {
                #expect(try await gantry.launch("p\(index)", token: admin, cpu: 0.1, memoryMB: 16).status == .accepted)
            }
            let refused = try await gantry.launch("one-too-many", token: admin, cpu: 0.1, memoryMB: 16)
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "insufficient_capacity")
            let nodes = try #require(refused["nodes"] as? [[String: Any]])
            #expect(nodes.first?["node"] as? String == "local")
            #expect((nodes.first?["reasons"] as? [String])?.contains { $0.contains("ports") } == true)

            // Beyond what any instance may ask for is a bad request; beyond the largest node
            // enrolled is a capacity problem (a bigger node may join).
            let absurd = try await gantry.launch("absurd", token: admin, cpu: 100_000, memoryMB: 16)
            #expect(absurd.status == .badRequest)
            #expect(absurd.text.contains("between 0.1 and 1024"))
            let huge = try await gantry.launch("huge", token: admin, cpu: 1000, memoryMB: 16)
            #expect(huge.status == .conflict)
            #expect(huge.errorCode == "insufficient_capacity")
            #expect(huge.text.contains("largest node"))
        }
    }

    @Test func adminsSetQuotasGloballyAndPerUser() async throws {
        try await TestGantry.run(environment: ["GANTRY_DEFAULT_QUOTA_INSTANCES": "3", "GANTRY_DEFAULT_QUOTA_CPU": "2"])
        {
            gantry in
            let admin = try await gantry.adminToken()
            let (aliceID, alice) = try await gantry.createUser("alice", adminToken: admin)
            let defaults = try await gantry.request(.get, "/api/v1/users/me/quota", token: alice)
            #expect((defaults["limits"] as? [String: Any])?["instances"] as? Int == 3)
            #expect((defaults["limits"] as? [String: Any])?["cpu"] as? Double == 2)
            #expect((defaults["limits"] as? [String: Any])?["memory_mb"] as? Int == 32768)
            let patched = try await gantry.request(
                .patch, "/api/v1/users/\(aliceID)", token: admin, json: ["quota": ["instances": 7]])
            #expect(patched.status == .ok)
            let after = try await gantry.request(.get, "/api/v1/users/\(aliceID)/quota", token: admin)
            #expect((after["limits"] as? [String: Any])?["instances"] as? Int == 7)
            #expect((after["limits"] as? [String: Any])?["cpu"] as? Double == 2)
            let negative = try await gantry.request(
                .patch, "/api/v1/users/\(aliceID)", token: admin, json: ["quota": ["cpu": -1]])
            #expect(negative.status == .badRequest)
            let byUser = try await gantry.request(
                .patch, "/api/v1/users/\(aliceID)", token: alice, json: ["quota": ["instances": 100]])
            #expect(byUser.status == .forbidden)
        }
    }
}

@Suite struct HostPortTests {
    /// A port already bound on the host (here by a container Gantry does not own) is skipped.
    @Test func aPortTakenOnTheHostIsSkipped() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let taken = gantry.configuration.portRange.lowerBound
            let (status, body) = try await DockerProbe.call(
                .POST, "/containers/create?name=\(TestEnvironment.uniqueName("port-squatter"))",
                json: [
                    "Image": TestEnvironment.httpImage, "Labels": ["gantry.test": "port-squatter"],
                    "ExposedPorts": ["8080/tcp": [:] as [String: Any]],
                    "HostConfig": ["PortBindings": ["8080/tcp": [["HostIp": "127.0.0.1", "HostPort": "\(taken)"]]]],
                ])
            let squatter = try #require(
                (body as? [String: Any])?["Id"] as? String, "\(status) \(String(describing: body))")
            _ = try await DockerProbe.call(.POST, "/containers/\(squatter)/start")
            do {
                let launched = try await gantry.launch("web", token: admin)
                let id = try #require(launched["id"] as? String)
                let running = try await gantry.waitFor(id, state: "running", token: admin)
                let port = try #require(running["host_port"] as? Int)
                #expect(port != taken)
                #expect(await fetch("http://127.0.0.1:\(port)") != nil)
            } catch {
                try? await DockerProbe.remove(squatter)
                throw error
            }
            try await DockerProbe.remove(squatter)
        }
    }

    @Test func openSignUpLetsAnyoneCreateAnAccountButNotAnAdmin() async throws {
        try await TestGantry.run(environment: ["GANTRY_OPEN_SIGNUP": "true"]) { gantry in
            let created = try await gantry.request(
                .post, "/api/v1/users", json: ["email": "eve@example.com", "username": "eve", "password": "eve-pass-1"])
            #expect(created.status == .created)
            #expect(created["role"] as? String == "user")
            let admin = try await gantry.request(
                .post, "/api/v1/users",
                json: ["email": "x@example.com", "username": "x", "password": "x-pass-12", "role": "admin"])
            #expect(admin.status == .forbidden)
        }
    }
}
