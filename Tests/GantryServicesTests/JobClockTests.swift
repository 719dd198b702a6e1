import Foundation
import GantryCore
import GantryTestSupport
import Testing

@testable import GantryServices

/// The job services read the time from their injected clock, so every recorded time is the
/// test's: registration, submission and cancellation.
struct JobClockTests {
    @Test func pluginsAndJobsRecordTheClocksTime() async throws {
        let clock = TestClock(Fixtures.start)
        let store = InMemoryStore(clock: clock.wallClock)
        for user in [Fixtures.alice, Fixtures.admin] { try await store.createUser(user) }
        let settings = JobSettings(concurrency: 0, node: "local", installation: Fixtures.installationID)
        let schemas = JobSchemaCache()
        let plugins = PluginService(
            store: store, settings: settings, schemas: schemas, clock: clock.wallClock, logger: Fixtures.logger)
        let jobs = JobService(
            store: store, settings: settings, schemas: schemas, signal: JobQueueSignal(), runs: JobRunRegistry(),
            clock: clock.wallClock, logger: Fixtures.logger)

        let plugin = try await plugins.register(
            PluginManifest(name: "echo", version: "1", imageReference: "example/echo:1"), by: Harness.admin)
        #expect(plugin.createdAt == Fixtures.start)

        clock.advance(by: 60)
        let job = try await jobs.submit(pluginName: "echo", input: .object([:]), by: Harness.alice)
        #expect(job.createdAt == Fixtures.start.addingTimeInterval(60))

        clock.advance(by: 30)
        let cancelled = try await jobs.cancel(id: job.id, by: Harness.alice)
        #expect(cancelled.status == .failed)
        #expect(cancelled.completedAt == Fixtures.start.addingTimeInterval(90))
    }
}
