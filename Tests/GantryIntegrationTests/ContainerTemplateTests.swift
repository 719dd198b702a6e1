import Foundation
import GantryCore
import GantryPorts
import GantryServices
import SQLKit
import Testing

@testable import GantryStore

/// Issue 11: the container a workload runs is decided at admission and recorded in full; the
/// catalog is never read again to build it.
@Suite struct ContainerTemplateTests {
    static let image = CatalogImage(
        name: "httpd", displayName: "httpd", reference: TestEnvironment.httpImage, port: 8080, description: "")

    static func launched(owner: UUID, name: String, port: Int) -> Instance {
        let id = UUID()
        return Instance(
            id: id, name: name, ownerID: owner, image: image.name, imageReference: image.reference,
            containerPort: image.port, cpu: 0.25, memoryMB: 64, node: "local", hostIP: "127.0.0.1", hostPort: port,
            template: .forInstance(id: id, name: name, image: image, pidsLimit: 128, hostBindIP: "127.0.0.1"))
    }

    @Test func aCatalogEditAfterLaunchDoesNotChangeWhatRuns() async throws {
        try await StoreTests.withStore(.sqlite) { store in
            let owner = StoreTests.user("alice")
            try await store.createUser(owner)
            try await store.upsertNode(StoreTests.node())
            try await store.createImage(Self.image)
            let (port, _) = TestEnvironment.portRange()
            let launched = Self.launched(owner: owner.id, name: "pinned", port: port)
            _ = try await store.reserveInstance(ownerID: owner.id) { _ in launched }

            // Between launch and creation the admin replaces the image with another command and port.
            #expect(try await store.deleteImage(name: "httpd"))
            var edited = Self.image
            edited.command = ["/bin/sh", "-c", "exit 3"]
            edited.port = 9999
            edited.capabilities = ["NET_ADMIN"]
            try await store.createImage(edited)

            let installation = "template-\(UUID().uuidString.prefix(8))"
            defer { Task { await removeContainers(installation: installation) } }
            try await withDocker { docker in
                let driver = InstanceDriver(
                    store: store, runtimes: StaticRuntimeDirectory(["local": docker]),
                    settings: InstanceSettings(installationID: installation), logger: TestEnvironment.logger)
                try await driver.perform(.launch(WorkloadReference(launched.workload)), on: launched)
                let running = try #require(try await store.instance(id: launched.id))
                #expect(running.state == .running, "\(running.stateReason ?? "")")
                let containerID = try #require(running.containerID)
                let (status, body) = try await DockerProbe.call(.GET, "/containers/\(containerID)/json")
                #expect(status == 200)
                let json = try #require(body as? [String: Any])
                let config = try #require(json["Config"] as? [String: Any])
                let host = try #require(json["HostConfig"] as? [String: Any])
                // The image's own command (the template recorded none), port 8080, no capability
                // added back, and the template's pids limit rather than the settings' default.
                #expect((config["Cmd"] as? [String])?.contains("exit 3") != true)
                #expect((config["ExposedPorts"] as? [String: Any])?.keys.sorted() == ["8080/tcp"])
                #expect((host["CapAdd"] as? [String] ?? []).isEmpty)
                #expect(host["PidsLimit"] as? Int == 128)
                try await docker.removeContainer(id: containerID)
            }
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func templatesRoundTripThroughTheStore(_ kind: DatabaseKind) async throws {
        try await StoreTests.withStore(kind) { store in
            let owner = StoreTests.user("bob")
            try await store.createUser(owner)
            try await store.upsertNode(StoreTests.node())
            var instance = Self.launched(owner: owner.id, name: "web", port: 20_001)
            instance.template.environment = ["A=1"]
            instance.template.mounts = [BindMount(source: "/srv/data", target: "/data", readOnly: true)]
            instance.template.labels = ["x": "y"]
            let launched = instance
            _ = try await store.reserveInstance(ownerID: owner.id) { _ in launched }
            #expect(try await store.instance(id: launched.id)?.template == launched.template)
            #expect(
                try await store.listInstances(ownerID: owner.id, skip: 0, limit: 10).items.first?.template
                    == launched.template)
        }
    }

    /// An unknown stored state or a missing template is an error, never a guessed default.
    @Test func unknownStoredValuesAreErrorsNotDefaults() async throws {
        try await StoreTests.withStore(.sqlite) { store in
            let owner = StoreTests.user("carol")
            try await store.createUser(owner)
            try await store.upsertNode(StoreTests.node())
            let launched = Self.launched(owner: owner.id, name: "odd", port: 20_002)
            _ = try await store.reserveInstance(ownerID: owner.id) { _ in launched }
            let sql = try FluentStore.sql(store.db)

            try await sql.update("instances").set("state", to: "exploded").where("id", .equal, launched.id).run()
            await #expect(throws: (any Error).self) { _ = try await store.instance(id: launched.id) }

            try await sql.update("instances").set("state", to: "pending").where("id", .equal, launched.id).run()
            #expect(try await store.instance(id: launched.id)?.state == .pending)
            try await sql.update("instances").set("container_template", to: SQLLiteral.null)
                .where("id", .equal, launched.id).run()
            await #expect(throws: (any Error).self) { _ = try await store.instance(id: launched.id) }
        }
    }

    /// A database from before templates were recorded gets them from the catalog and the
    /// configuration the migration is given.
    @Test(arguments: DatabaseKind.allCases)
    func theMigrationRecordsTemplatesForExistingRows(_ kind: DatabaseKind) async throws {
        let database = try TestDatabase.create(kind)
        defer { database.drop() }
        let location: DatabaseLocation =
            database.postgresURL.map { .postgres(url: $0) } ?? .sqlite(path: database.dataDirectory + "/gantry.sqlite")
        let owner = StoreTests.user("dave")
        var image = Self.image
        image.command = ["httpd", "-f"]
        image.capabilities = ["CHOWN"]
        let launched = Self.launched(owner: owner.id, name: "old", port: 20_003)
        let first = try await FluentStore.open(location, logger: TestEnvironment.logger)
        do {
            try await first.createUser(owner)
            try await first.upsertNode(StoreTests.node())
            try await first.createImage(image)
            _ = try await first.reserveInstance(ownerID: owner.id) { _ in launched }
            // Back to version 4: no template column, the migration not yet run.
            let sql = try FluentStore.sql(first.db)
            try await sql.raw("ALTER TABLE instances DROP COLUMN container_template").run()
            try await sql.raw("ALTER TABLE gpu_sessions DROP COLUMN container_template").run()
            try await sql.delete(from: "_fluent_migrations").where("name", .like, "%AddContainerTemplates%").run()
        } catch {
            await first.shutdown()
            throw error
        }
        await first.shutdown()

        let legacy = LegacyContainerDefaults(pidsLimit: 256, hostBindIP: "127.0.0.2")
        let second = try await FluentStore.open(location, legacy: legacy, logger: TestEnvironment.logger)
        do {
            let migrated = try #require(try await second.instance(id: launched.id))
            #expect(migrated.template.command == ["httpd", "-f"])
            #expect(migrated.template.capabilities == ["CHOWN"])
            #expect(migrated.template.pidsLimit == 256)
            #expect(migrated.template.hostBindIP == "127.0.0.2")
            #expect(migrated.template.imageReference == Self.image.reference)
            #expect(migrated.template.containerName == launched.template.containerName)
        } catch {
            await second.shutdown()
            throw error
        }
        await second.shutdown()
    }
}
