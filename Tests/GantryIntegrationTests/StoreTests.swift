import Foundation
import GantryCore
import GantryPorts
import GantryServices
import GantryStore
import Testing

/// The Fluent store on both databases: every test runs on SQLite and on PostgreSQL.
@Suite struct StoreTests {
    static func withStore(_ kind: DatabaseKind, _ body: (FluentStore) async throws -> Void) async throws {
        let database = try TestDatabase.create(kind)
        defer { database.drop() }
        let location: DatabaseLocation =
            database.postgresURL.map { .postgres(url: $0) }
            ?? .sqlite(path: database.dataDirectory + "/gantry.sqlite")
        let store = try await FluentStore.open(location, logger: TestEnvironment.logger)
        do {
            try await body(store)
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }

    static func user(_ name: String) -> User {
        User(email: "\(name)@example.com", username: name, fullName: name.capitalized, role: .user, passwordHash: "x")
    }

    static func node(_ name: String = "local") -> Node {
        Node(
            name: name, endpoint: "unix:///var/run/docker.sock", address: "127.0.0.1",
            capacity: NodeCapacity(cpu: 4, memoryMB: 8192), status: .online)
    }

    static func instance(
        owner: UUID, name: String, port: Int?, node: String = "local", state: InstanceState = .pending
    )
        -> Instance
    {
        let id = UUID()
        let image = CatalogImage(
            name: "httpd", displayName: "httpd", reference: "gantry-test/httpd:latest", port: 8080, description: "")
        return Instance(
            id: id, name: name, ownerID: owner, image: image.name, imageReference: image.reference,
            containerPort: image.port, cpu: 0.5, memoryMB: 128, state: state, node: node, hostIP: "127.0.0.1",
            hostPort: port,
            template: .forInstance(id: id, name: name, image: image, pidsLimit: 512, hostBindIP: "127.0.0.1"))
    }

    @Test(arguments: DatabaseKind.allCases)
    func usersRoundTripAndStayUnique(_ kind: DatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            var alice = Self.user("alice")
            alice.quotaOverride = QuotaOverride(instances: 9, cpu: 2.5)
            try await store.createUser(alice)
            #expect(try await store.user(id: alice.id)?.quotaOverride == alice.quotaOverride)
            #expect(try await store.user(usernameOrEmail: "alice@example.com")?.id == alice.id)
            #expect(try await store.user(usernameOrEmail: "alice")?.id == alice.id)
            await #expect(throws: StoreError.duplicate(field: "email")) {
                var clash = Self.user("other")
                clash.email = alice.email
                try await store.createUser(clash)
            }
            await #expect(throws: StoreError.duplicate(field: "username")) {
                var clash = Self.user("alice")
                clash.email = "different@example.com"
                try await store.createUser(clash)
            }
            alice.isActive = false
            try await store.updateUser(alice)
            #expect(try await store.user(id: alice.id)?.isActive == false)
            for name in ["bob", "carol", "dave"] { try await store.createUser(Self.user(name)) }
            let page = try await store.listUsers(skip: 1, limit: 2)
            #expect(page.total == 4)
            #expect(page.items.count == 2)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func apiKeysAndSettings(_ kind: DatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            let alice = Self.user("alice")
            try await store.createUser(alice)
            let key = APIKey(
                ownerID: alice.id, name: "ci", prefix: "gk_abc", tokenHash: String(repeating: "a", count: 64))
            try await store.createAPIKey(key)
            #expect(try await store.apiKey(tokenHash: key.tokenHash)?.id == key.id)
            #expect(try await store.deleteAPIKey(id: key.id, ownerID: UUID()) == false)
            #expect(try await store.deleteAPIKey(id: key.id, ownerID: alice.id))
            #expect(try await store.apiKeys(ownerID: alice.id).isEmpty)

            #expect(try await store.settingSetIfAbsent("secret", value: "first") == "first")
            #expect(try await store.settingSetIfAbsent("secret", value: "second") == "first")
            try await store.setSetting("secret", value: "third")
            #expect(try await store.setting("secret") == "third")
            #expect(try await store.setting("missing") == nil)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func leasesGoToOneHolderUntilTheyRunOut(_ kind: DatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            let now = Date()
            func acquire(
                _ holder: String, after seconds: TimeInterval, name: String = "reconciler"
            ) async throws -> Bool {
                try await store.acquireLease(name, holder: holder, duration: 10, now: now.addingTimeInterval(seconds))
            }
            let first = try await acquire("a", after: 0)
            let contested = try await acquire("b", after: 0)
            let renewed = try await acquire("a", after: 5)
            let stillHeld = try await acquire("b", after: 12)
            let takenOver = try await acquire("b", after: 16)
            let otherName = try await acquire("a", after: 0, name: "other")
            #expect(first && !contested && renewed && !stillHeld && takenOver && otherName)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func imagesAndNodes(_ kind: DatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            let image = CatalogImage(
                name: "httpd", displayName: "HTTPD", reference: "gantry-test/httpd:latest", port: 8080,
                description: "test", command: ["httpd", "-f"], capabilities: ["NET_BIND_SERVICE"])
            try await store.createImage(image)
            let loaded = try await store.image(name: "httpd")
            #expect(loaded?.command == ["httpd", "-f"])
            #expect(loaded?.capabilities == ["NET_BIND_SERVICE"])
            await #expect(throws: StoreError.duplicate(field: "name")) { try await store.createImage(image) }
            #expect(try await store.deleteImage(name: "httpd"))
            #expect(try await store.deleteImage(name: "httpd") == false)

            var node = Self.node()
            node.labels = ["zone": "a"]
            try await store.upsertNode(node)
            node.capacity.cpu = 8
            node.status = .offline
            try await store.upsertNode(node)
            let nodes = try await store.listNodes()
            #expect(nodes.count == 1)
            #expect(nodes.first?.capacity.cpu == 8)
            #expect(nodes.first?.status == .offline)
            #expect(nodes.first?.labels == ["zone": "a"])
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func reservationsSeeUsageAndPortsAndWriteNothingWhenRefused(_ kind: DatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            let alice = Self.user("alice")
            try await store.createUser(alice)
            try await store.upsertNode(Self.node())
            let first = try await store.reserveInstance(ownerID: alice.id) { snapshot in
                #expect(snapshot.usage == .zero)
                #expect(snapshot.nodes.map(\.name) == ["local"])
                return Self.instance(owner: alice.id, name: "a", port: 8000)
            }
            _ = try await store.reserveInstance(ownerID: alice.id) { snapshot in
                #expect(snapshot.usage == ResourceAmount(instances: 1, cpu: 0.5, memoryMB: 128))
                #expect(snapshot.usedPorts["local"] == [8000])
                #expect(snapshot.ownerInstanceNames == ["a"])
                #expect(snapshot.allocated["local"] == NodeCapacity(cpu: 0.5, memoryMB: 128))
                return Self.instance(owner: alice.id, name: "b", port: 8001)
            }
            await #expect(throws: GantryError.self) {
                _ = try await store.reserveInstance(ownerID: alice.id) { _ in throw GantryError.invalid("no") }
            }
            // The port constraint holds even if a decision were wrong.
            await #expect(throws: StoreError.self) {
                _ = try await store.reserveInstance(ownerID: alice.id) { _ in
                    Self.instance(owner: alice.id, name: "c", port: 8000)
                }
            }
            #expect(try await store.listInstances(ownerID: alice.id, skip: 0, limit: 10).total == 2)

            // Compare-and-set: a write against a stale state is refused.
            var running = first
            running.state = .running
            #expect(try await store.updateInstance(running, ifStateIs: .pending))
            #expect(try await store.updateInstance(running, ifStateIs: .pending) == false)

            // Terminal states release the port and the usage.
            var terminated = running
            terminated.state = .terminated
            terminated.hostPort = nil
            #expect(try await store.updateInstance(terminated, ifStateIs: .running))
            #expect(try await store.usage(ownerID: alice.id) == ResourceAmount(instances: 1, cpu: 0.5, memoryMB: 128))
            #expect(try await store.liveInstances().map(\.name) == ["b"])
            let moved = try await store.reassignPort(instanceID: running.id) { used in
                #expect(used == [8001])
                return 8002
            }
            #expect(moved == 8002)
            #expect(try await store.countInstancesByState()[.terminated] == 1)
        }
    }
}
