import DockerEngine
import Foundation
import GantryServices
import GantryTestSupport
import Testing

@Suite struct InstanceLifecycleTests {
    @Test(arguments: DatabaseKind.allCases)
    func launchReachStopStartTerminate(_ kind: DatabaseKind) async throws {
        try await TestGantry.run(kind) { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let (aliceID, alice) = try await gantry.createUser("alice", adminToken: admin)

            let launched = try await gantry.launch("web", token: alice, cpu: 0.5, memoryMB: 128)
            #expect(launched.status == .accepted, "\(launched.text)")
            #expect(launched["state"] as? String == "pending")
            #expect(launched["node"] as? String == "local")
            let id = try #require(launched["id"] as? String)
            let port = try #require(launched["host_port"] as? Int)
            #expect(port == gantry.configuration.portRange.lowerBound)
            let endpoint = try #require(launched["endpoint"] as? String)
            #expect(endpoint == "http://127.0.0.1:\(port)")

            let running = try await gantry.waitFor(id, state: "running", token: alice)
            let containerID = try #require(running["container_id"] as? String)
            let body = try await eventually { await fetch(endpoint) != nil }
            #expect(body, "endpoint \(endpoint) never answered")
            #expect(await fetch(endpoint)?.contains("gantry test instance") == true)

            // The container is what the issue asks for, as the engine sees it.
            do {
                let inspected = try #require(try await DockerProbe.inspect(containerID))
                let labels = inspected.labels
                #expect(labels["gantry.kind"] == "instance")
                #expect(labels["gantry.id"] == id.uppercased() || labels["gantry.id"] == id)
                #expect(labels["gantry.owner"]?.lowercased() == aliceID)
                #expect(inspected.capDrop == ["ALL"])
                #expect(inspected.securityOptions.contains { $0.hasPrefix("no-new-privileges") })
                #expect(inspected.nanoCPUs == 500_000_000)
                #expect(inspected.memoryBytes == 128 * 1_048_576)
                #expect((inspected.pidsLimit ?? 0) > 0)
            }

            let quota = try await gantry.request(.get, "/api/v1/users/me/quota", token: alice)
            let usage = try #require(quota["usage"] as? [String: Any])
            #expect(usage["instances"] as? Int == 1)
            #expect(usage["cpu"] as? Double == 0.5)
            #expect(usage["memory_mb"] as? Int == 128)

            // Stop keeps the filesystem: write a file, stop, start, read it back.
            try await DockerProbe.exec(containerID, ["sh", "-c", "echo kept > /www/kept.txt"])
            let stopping = try await gantry.request(.post, "/api/v1/instances/\(id)/stop", token: alice)
            #expect(stopping.status == .accepted)
            #expect(stopping["state"] as? String == "stopping")
            try await gantry.waitFor(id, state: "stopped", token: alice)
            #expect(await fetch(endpoint) == nil)
            let stopAgain = try await gantry.request(.post, "/api/v1/instances/\(id)/stop", token: alice)
            #expect(stopAgain.status == .conflict)
            #expect(stopAgain.errorCode == "invalid_state")

            #expect(try await gantry.request(.post, "/api/v1/instances/\(id)/start", token: alice).status == .accepted)
            let restarted = try await gantry.waitFor(id, state: "running", token: alice)
            #expect(restarted["container_id"] as? String == containerID)
            #expect(try await eventually { await fetch(endpoint + "/kept.txt")?.contains("kept") == true })

            let logs = try await gantry.request(.get, "/api/v1/instances/\(id)/logs?tail=50", token: alice)
            #expect(logs.status == .ok)
            #expect(logs["logs"] is String)

            let terminating = try await gantry.request(.delete, "/api/v1/instances/\(id)", token: alice)
            #expect(terminating.status == .accepted)
            try await gantry.waitFor(id, state: "terminated", token: alice)
            #expect(try await DockerProbe.inspect(containerID) == nil)
            let after = try await gantry.request(.get, "/api/v1/users/me/quota", token: alice)
            #expect((after["usage"] as? [String: Any])?["instances"] as? Int == 0)
            // The port is free again: the next launch gets it.
            let next = try await gantry.launch("web", token: alice)
            #expect(next["host_port"] as? Int == port)
        }
    }

    @Test func usersSeeOnlyTheirOwnInstancesAndAdminsSeeAll() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let (_, alice) = try await gantry.createUser("alice", adminToken: admin)
            let (_, bob) = try await gantry.createUser("bob", adminToken: admin)
            let launched = try await gantry.launch("a1", token: alice)
            let id = try #require(launched["id"] as? String)
            #expect(try await gantry.request(.get, "/api/v1/instances/\(id)", token: bob).status == .notFound)
            #expect(try await gantry.request(.post, "/api/v1/instances/\(id)/stop", token: bob).status == .notFound)
            #expect(try await gantry.request(.delete, "/api/v1/instances/\(id)", token: bob).status == .notFound)
            #expect(try await gantry.request(.get, "/api/v1/instances/\(id)/logs", token: bob).status == .notFound)
            #expect(try await gantry.request(.get, "/api/v1/instances", token: bob)["total"] as? Int == 0)
            #expect(try await gantry.request(.get, "/api/v1/instances", token: alice)["total"] as? Int == 1)
            #expect(try await gantry.request(.get, "/api/v1/instances", token: admin)["total"] as? Int == 1)
            #expect(try await gantry.request(.get, "/api/v1/instances/\(id)", token: admin).status == .ok)
            // Names are unique per owner, not globally.
            #expect(try await gantry.launch("a1", token: bob).status == .accepted)
            let duplicate = try await gantry.launch("a1", token: alice)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.errorCode == "duplicate_name")
        }
    }

    @Test func aMissingImageFailsWithAClearReason() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(
                adminToken: admin, name: "ghost",
                reference: "gantry-test/does-not-exist:\(UUID().uuidString.prefix(8).lowercased())")
            let launched = try await gantry.launch("g", token: admin, image: "ghost")
            #expect(launched.status == .accepted)
            let id = try #require(launched["id"] as? String)
            let failed = try await gantry.waitFor(id, state: "failed", token: admin, timeout: .seconds(60))
            let reason = try #require(failed["state_reason"] as? String)
            #expect(reason.contains("could not be pulled"), "\(reason)")
            #expect(failed["host_port"] == nil)
            let quota = try await gantry.request(.get, "/api/v1/users/me/quota", token: admin)
            #expect((quota["usage"] as? [String: Any])?["instances"] as? Int == 0)
        }
    }

    @Test func theSeedCatalogIsThere() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let images = try await gantry.request(.get, "/api/v1/images", token: admin)
            let names = ((images["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
            #expect(Set(names) == ["ubuntu-22.04", "python-3.11", "node-20", "nginx"])
            let references = ((images["items"] as? [[String: Any]]) ?? []).compactMap { $0["reference"] as? String }
            #expect(references.contains("ubuntu:22.04") && references.contains("nginx:1.25"))
        }
    }
}
