import Foundation
import GantryCore
import GantryPorts
import SQLKit
import Testing

@testable import GantryStore

/// The in-memory instances read model never answers with stale rows: every write, from this
/// replica, another replica or plain SQL, is seen by the next read, on both databases.
@Suite struct InstanceReadModelTests {
    static func withReplicas(
        _ kind: DatabaseKind, _ body: (FluentStore, FluentStore) async throws -> Void
    ) async throws {
        let database = try TestDatabase.create(kind)
        defer { database.drop() }
        let location: DatabaseLocation =
            database.postgresURL.map { .postgres(url: $0) } ?? .sqlite(path: database.dataDirectory + "/gantry.sqlite")
        let first = try await FluentStore.open(location, logger: TestEnvironment.logger)
        let second: FluentStore
        do {
            second = try await FluentStore.open(location, logger: TestEnvironment.logger)
        } catch {
            await first.shutdown()
            throw error
        }
        do {
            try await body(first, second)
        } catch {
            await first.shutdown()
            await second.shutdown()
            throw error
        }
        await first.shutdown()
        await second.shutdown()
    }

    @Test(arguments: DatabaseKind.allCases)
    func everyWriteIsSeenByTheNextReadOnEveryReplica(_ kind: DatabaseKind) async throws {
        try await Self.withReplicas(kind) { reader, writer in
            let alice = StoreTests.user("alice")
            let bob = StoreTests.user("bob")
            try await writer.createUser(alice)
            try await writer.createUser(bob)
            try await writer.upsertNode(StoreTests.node())
            #expect(try await reader.listInstances(ownerID: nil, skip: 0, limit: 10) == Page(total: 0, items: []))

            // Another replica's reservation.
            let first = try await writer.reserveInstance(ownerID: alice.id) { _ in
                StoreTests.instance(owner: alice.id, name: "first", port: 21_000)
            }
            #expect(try await reader.instance(id: first.id)?.name == "first")
            #expect(try await reader.listInstances(ownerID: nil, skip: 0, limit: 10).total == 1)

            // Another replica's compare-and-set.
            var running = first
            running.state = .running
            running.containerID = "c-1"
            #expect(try await writer.updateInstance(running, ifStateIs: .pending))
            #expect(try await reader.instance(id: first.id)?.state == .running)
            #expect(try await reader.liveInstances().map(\.containerID) == ["c-1"])

            // Plain SQL, past every store method.
            try await FluentStore.sql(writer.db).update("instances").set("state_reason", to: "edited by hand")
                .where("id", .equal, first.id).run()
            #expect(try await reader.instance(id: first.id)?.stateReason == "edited by hand")

            // Listing order, owner filter and windows are the query's: newest first.
            let second = try await reader.reserveInstance(ownerID: bob.id) { _ in
                var instance = StoreTests.instance(owner: bob.id, name: "second", port: 21_001)
                instance.createdAt = first.createdAt.addingTimeInterval(5)
                return instance
            }
            let all = try await writer.listInstances(ownerID: nil, skip: 0, limit: 10)
            #expect(all.items.map(\.id) == [second.id, first.id])
            #expect(try await reader.listInstances(ownerID: nil, skip: 0, limit: 10) == all)
            #expect(try await reader.listInstances(ownerID: bob.id, skip: 0, limit: 10).items.map(\.id) == [second.id])
            #expect(try await reader.listInstances(ownerID: nil, skip: 1, limit: 1).items.map(\.id) == [first.id])
            #expect(try await reader.listInstances(ownerID: nil, skip: 5, limit: 10) == Page(total: 2, items: []))
            #expect(try await reader.listInstances(ownerID: UUID(), skip: 0, limit: 10) == Page(total: 0, items: []))
            #expect(
                try await reader.countInstancesByState() == [
                    .pending: 1, .running: 1, .stopping: 0, .stopped: 0, .terminating: 0, .terminated: 0, .failed: 0,
                ])

            // A delete is seen too.
            try await FluentStore.sql(writer.db).delete(from: "instances").where("id", .equal, second.id).run()
            #expect(try await reader.instance(id: second.id) == nil)
            #expect(try await reader.listInstances(ownerID: nil, skip: 0, limit: 10).items.map(\.id) == [first.id])
        }
    }

    /// Readers that arrive while the table is being reloaded share that one load, and all of them
    /// get the rows as they are after the write.
    @Test func concurrentReadersAfterAWriteAllSeeIt() async throws {
        try await StoreTests.withStore(.sqlite) { store in
            let alice = StoreTests.user("alice")
            try await store.createUser(alice)
            try await store.upsertNode(StoreTests.node())
            var instance = try await store.reserveInstance(ownerID: alice.id) { _ in
                StoreTests.instance(owner: alice.id, name: "shared", port: 21_100)
            }
            for round in 0..<5 {
                instance.stateReason = "round \(round)"
                #expect(try await store.updateInstance(instance, ifStateIs: .pending))
                let id = instance.id
                let reasons = try await withThrowingTaskGroup(of: String?.self) { group in
                    for _ in 0..<16 { group.addTask { try await store.instance(id: id)?.stateReason } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(reasons == Array(repeating: "round \(round)", count: 16))
            }
        }
    }
}
