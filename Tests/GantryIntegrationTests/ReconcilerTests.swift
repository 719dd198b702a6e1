import Foundation
import GantryServer
import GantryTestSupport
import Testing

@Suite struct ReconcilerTests {
    @Test func noticesContainersKilledOrRemovedBehindItsBack() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let killedID = try #require(try await gantry.launch("killed", token: admin)["id"] as? String)
            let removedID = try #require(try await gantry.launch("removed", token: admin)["id"] as? String)
            let killed = try await gantry.waitFor(killedID, state: "running", token: admin)
            let removed = try await gantry.waitFor(removedID, state: "running", token: admin)

            try await DockerProbe.kill(try #require(killed["container_id"] as? String))
            try await DockerProbe.remove(try #require(removed["container_id"] as? String))

            let stopped = try await gantry.waitFor(killedID, state: "stopped", token: admin, timeout: .seconds(10))
            #expect((stopped["state_reason"] as? String)?.contains("exited unexpectedly") == true)
            let failed = try await gantry.waitFor(removedID, state: "failed", token: admin, timeout: .seconds(10))
            #expect((failed["state_reason"] as? String)?.contains("removed outside Gantry") == true)
            // The killed one can be started again.
            #expect(
                try await gantry.request(.post, "/api/v1/instances/\(killedID)/start", token: admin).status == .accepted
            )
            try await gantry.waitFor(killedID, state: "running", token: admin)
        }
    }

    /// One sweep for every kind: instance, session and job containers that no workload owns go,
    /// once they are past the grace period (1 s in tests).
    @Test func removesOrphanContainersCarryingItsLabels() async throws {
        try await TestGantry.run { gantry in
            let installation = gantry.gantry.installationID
            let orphans = [
                try await DockerProbe.createOrphan(installation: installation, kind: "instance"),
                try await DockerProbe.createOrphan(installation: installation, kind: "session"),
                try await DockerProbe.createOrphan(installation: installation, kind: "job"),
            ]
            // A kind this version does not know may belong to a newer replica: left alone.
            let unknownKind = try await DockerProbe.createOrphan(installation: installation, kind: "desktop")
            let foreign = try await DockerProbe.createOrphan(
                installation: "someone-else-\(UUID().uuidString.prefix(6))")
            for orphan in orphans {
                #expect(try await eventually(timeout: .seconds(10)) { try await DockerProbe.inspect(orphan) == nil })
            }
            // Another installation's containers are none of its business.
            #expect(try await DockerProbe.inspect(foreign) != nil)
            #expect(try await DockerProbe.inspect(unknownKind) != nil)
            try await DockerProbe.remove(foreign)
            try await DockerProbe.remove(unknownKind)
        }
    }

    /// A container may be mid-creation when a pass sees it, its record not yet read: no orphan
    /// is removed before the grace period has passed.
    @Test func leavesYoungOrphansAloneDuringTheGracePeriod() async throws {
        try await TestGantry.run(environment: ["GANTRY_DANGLING_GRACE": "1h"]) { gantry in
            let orphan = try await DockerProbe.createOrphan(installation: gantry.gantry.installationID)
            defer { Task { try? await DockerProbe.remove(orphan) } }
            // Ten passes at 0.2 s.
            try await Task.sleep(for: .seconds(2))
            #expect(try await DockerProbe.inspect(orphan) != nil)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func rebuildsStateAfterARestart(_ kind: DatabaseKind) async throws {
        let database = try TestDatabase.create(kind)
        defer { database.drop() }
        let (start, end) = TestEnvironment.portRange()
        var environment = [
            "GANTRY_DATA_DIR": database.dataDirectory, "GANTRY_DOCKER_HOST": TestEnvironment.dockerHost,
            "GANTRY_HTTP_ADDR": "127.0.0.1:0", "GANTRY_ADMIN_PASSWORD": TestGantry.adminPassword,
            "GANTRY_BCRYPT_COST": "4", "GANTRY_PORT_RANGE_START": "\(start)", "GANTRY_PORT_RANGE_END": "\(end)",
            "GANTRY_NODE_ADDRESS": "127.0.0.1", "GANTRY_RECONCILE_INTERVAL": "0.2",
        ]
        if let url = database.postgresURL { environment["GANTRY_DATABASE_URL"] = url }
        environment.merge(TestEnvironment.serverDefaults) { current, _ in current }
        let configuration = try GantryConfiguration.load(environment: environment)

        // First life: launch and run an instance, then "crash" (stop without cleaning up).
        let first = try await GantryApplication.build(configuration: configuration, logger: TestEnvironment.logger)
        let installation = first.installationID
        let (instanceID, containerID) = try await first.application.test(.live) { client in
            let gantry = TestGantry(client: client, gantry: first, configuration: configuration)
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let instanceID = try #require(try await gantry.launch("survivor", token: admin)["id"] as? String)
            let running = try await gantry.waitFor(instanceID, state: "running", token: admin)
            return (instanceID, try #require(running["container_id"] as? String))
        }
        await first.shutdown()

        // While Gantry is down the container is killed.
        try await DockerProbe.kill(containerID)

        // Second life: same database; the reconciler finds the truth.
        let second = try await GantryApplication.build(configuration: configuration, logger: TestEnvironment.logger)
        #expect(second.installationID == installation)
        #expect(second.generatedAdminPassword == nil)
        do {
            try await second.application.test(.live) { client in
                let gantry = TestGantry(client: client, gantry: second, configuration: configuration)
                let admin = try await gantry.adminToken()
                let seen = try await gantry.waitFor(instanceID, state: "stopped", token: admin, timeout: .seconds(10))
                #expect(seen["container_id"] as? String == containerID)
                let images = try await gantry.request(.get, "/api/v1/images", token: admin)
                #expect(images["total"] as? Int == 5, "catalog is seeded once, not again")
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

@Suite struct ReplicaTests {
    /// Two replicas on one PostgreSQL database: one reconciler acts (the lease holder), so every
    /// instance gets exactly one container, whichever replica took the request.
    @Test func twoReplicasShareOneDatabaseWithoutDoubleWork() async throws {
        let database = try TestDatabase.create(.postgres)
        defer { database.drop() }
        let (start, end) = TestEnvironment.portRange()
        let environment = [
            "GANTRY_DATA_DIR": database.dataDirectory, "GANTRY_DOCKER_HOST": TestEnvironment.dockerHost,
            "GANTRY_HTTP_ADDR": "127.0.0.1:0", "GANTRY_ADMIN_PASSWORD": TestGantry.adminPassword,
            "GANTRY_BCRYPT_COST": "4", "GANTRY_PORT_RANGE_START": "\(start)", "GANTRY_PORT_RANGE_END": "\(end)",
            "GANTRY_NODE_ADDRESS": "127.0.0.1", "GANTRY_RECONCILE_INTERVAL": "0.2",
            "GANTRY_DATABASE_URL": try #require(database.postgresURL),
        ].merging(TestEnvironment.serverDefaults) { current, _ in current }
        let configuration = try GantryConfiguration.load(environment: environment)
        let first = try await GantryApplication.build(configuration: configuration, logger: TestEnvironment.logger)
        let second = try await GantryApplication.build(configuration: configuration, logger: TestEnvironment.logger)
        #expect(first.installationID == second.installationID)
        do {
            try await first.application.test(.live) { firstClient in
                try await second.application.test(.live) { secondClient in
                    let a = TestGantry(client: firstClient, gantry: first, configuration: configuration)
                    let b = TestGantry(client: secondClient, gantry: second, configuration: configuration)
                    let admin = try await a.adminToken()
                    try await a.addTestImage(adminToken: admin)
                    var ids: [String] = []
                    for index in 0..<4 {
                        let replica = index.isMultiple(of: 2) ? a : b
                        ids.append(try #require(try await replica.launch("r\(index)", token: admin)["id"] as? String))
                    }
                    for id in ids { try await b.waitFor(id, state: "running", token: admin) }
                    let containers = try await withDocker { docker in
                        try await docker.listContainers(labels: ["gantry.installation": first.installationID])
                    }
                    #expect(containers.count == 4, "one container per instance, got \(containers.count)")
                }
            }
        } catch {
            await removeContainers(installation: first.installationID)
            await first.shutdown()
            await second.shutdown()
            throw error
        }
        await removeContainers(installation: first.installationID)
        await first.shutdown()
        await second.shutdown()
    }
}
