import ArgumentParser
import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import GantryCore
import GantryServices
import GantryStore
import Logging
import NIOPosix
import SQLKit

/// The job queue alone (seed 003): N jobs enqueued through the store, then drained by a
/// `JobWorkerPool` whose executor returns at once, no containers. Baselines, on the same database
/// with the same number in flight: one plain `INSERT INTO jobs` per job (for the enqueue rate) and
/// one plain `UPDATE jobs SET status = 'completed' WHERE id = ?` per job (for the drain rate).
struct JobQueueBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job-queue", abstract: "Job queue throughput with a no-op executor vs bare SQL writes.")

    @Option(help: "sqlite or postgres.") var database: BenchDatabaseKind = .sqlite
    @Option(help: "Jobs to enqueue and run.") var jobs = 5000
    @Option(help: "Worker concurrency (also the enqueues and baseline writes in flight).") var workers = 32
    @Option(help: "Workers' poll interval in milliseconds.") var pollMs = 10
    @Option(help: "PostgreSQL server URL (default: GANTRY_TEST_POSTGRES_URL or the local gantry role).")
    var postgresURL: String?
    @Flag(help: "Also time each store call a job costs, and candidate fixes, separately.") var profile = false

    func run() async throws {
        let logger = benchLogger("gantry-bench-job-queue")
        let scratch = try ScratchDatabase.create(database, postgresURL: postgresURL)
        defer { scratch.drop() }
        let store = try await FluentStore.open(scratch.location, logger: logger)
        let sql: BenchSQL
        do {
            sql = try await BenchSQL.open(scratch.location)
        } catch {
            await store.shutdown()
            throw error
        }
        do {
            try await measure(store: store, sql: sql, logger: logger)
        } catch {
            await sql.close()
            await store.shutdown()
            throw error
        }
        await sql.close()
        await store.shutdown()
    }

    func measure(store: FluentStore, sql: BenchSQL, logger: Logger) async throws {
        let name = database.rawValue
        let owner = User(
            email: "bench@example.com", username: "bench", fullName: "Bench", role: .user, passwordHash: "x")
        try await store.createUser(owner)
        let plugin = benchPlugin()
        try await store.createPlugin(plugin)
        let input = try JSONValue(parsing: #"{"features":[1.0,2.0,3.0,4.0],"model_params":{"threshold":0.5}}"#)
        // The server's default admission: no rate limit here, the default queue bound.
        let admission = JobAdmission(rateLimit: nil, maxQueued: max(10_000, jobs + 1))

        let newJobs = (0..<jobs).map { _ in
            Job(
                pluginName: plugin.name, pluginVersion: plugin.version, input: input, ownerID: owner.id,
                createdAt: Date(), maxAttempts: 4)
        }
        let enqueueStart = ContinuousClock.now
        try await forEachConcurrently(jobs, width: workers) { index in
            try await store.enqueueJob(newJobs[index], admission: admission)
        }
        let enqueueElapsed = (ContinuousClock.now - enqueueStart).seconds

        let settings = JobSettings(
            concurrency: workers, rateLimitPerMinute: nil, pollInterval: .milliseconds(pollMs),
            node: "bench", installation: "bench")
        let pool = JobWorkerPool(
            store: store, executor: NoopJobExecutor(), runtimes: StaticRuntimeDirectory([:]), settings: settings,
            schemas: JobSchemaCache(), signal: JobQueueSignal(), registry: JobRunRegistry(), logger: logger)
        let drainStart = ContinuousClock.now
        let poolTask = Task { await pool.run() }
        var finished = JobCounts(byStatus: [:], deadLettered: 0, due: 0)
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline {
            finished = try await store.countJobs(ownerID: nil, now: Date())
            if (finished.byStatus[.completed] ?? 0) + (finished.byStatus[.failed] ?? 0) >= jobs { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let drainElapsed = (ContinuousClock.now - drainStart).seconds
        poolTask.cancel()
        await poolTask.value
        let completed = finished.byStatus[.completed] ?? 0
        guard completed == jobs else {
            throw BenchClient.Failure(description: "job-queue: only \(completed)/\(jobs) completed: \(finished)")
        }

        // Baselines on a connection of their own with the store's settings, the same width.
        let ids = newJobs.map(\.id)
        let updateStart = ContinuousClock.now
        try await forEachConcurrently(jobs, width: workers) { index in
            try await sql.db.raw(
                "UPDATE jobs SET status = 'completed', updated_at = \(bind: Date()) WHERE id = \(bind: ids[index])"
            ).run()
        }
        let updateElapsed = (ContinuousClock.now - updateStart).seconds
        let insertStart = ContinuousClock.now
        try await forEachConcurrently(jobs, width: workers) { index in
            try await sql.insertPlainJob(newJobs[index], id: UUID())
        }
        let insertElapsed = (ContinuousClock.now - insertStart).seconds

        let rate = Double(jobs) / drainElapsed
        let baselineRate = Double(jobs) / updateElapsed
        let enqueueRate = Double(jobs) / enqueueElapsed
        let insertRate = Double(jobs) / insertElapsed
        let target = database == .postgres ? 2000 : 1000
        print("job-queue[\(name)]: \(jobs) jobs, \(workers) workers, no-op executor")
        print(
            String(
                format:
                    "job-queue[%@]: %.0f jobs/s completed (target >= %d)   baseline bare UPDATE per job: %.0f/s   ratio %.2fx",
                name, rate, target, baselineRate, rate / baselineRate))
        print(
            String(
                format: "job-queue[%@]: enqueue %.0f jobs/s   baseline bare INSERT per job: %.0f/s   ratio %.2fx",
                name, enqueueRate, insertRate, enqueueRate / insertRate))

        if profile {
            try await JobQueueProfile(
                store: store, sql: sql, owner: owner, plugin: plugin, input: input, jobs: min(jobs, 2000),
                width: workers, database: database
            ).run()
        }
    }

    func benchPlugin() -> Plugin {
        Plugin(
            name: "bench-noop", version: "1.0.0", description: "no-op", imageReference: "gantry-bench/none",
            inputSchema: nil, outputSchema: nil, resources: Plugin.Resources(cpu: 0.1, memoryMB: 16, gpus: 0),
            timeoutSeconds: 60, inputMode: .stdin, network: false, createdAt: Date(), updatedAt: Date())
    }
}

/// A `JobExecutor` that returns a successful, empty result at once.
struct NoopJobExecutor: JobExecutor {
    func run(
        _ job: Job, attempt: Int, plugin: Plugin, control: JobRunControl, progress: @escaping @Sendable (Double) -> Void
    ) async throws(JobFailure) -> JobRunOutput {
        JobRunOutput(exitCode: 0, stdout: "{}", stderrTail: "")
    }
}

/// The per-job store calls a worker makes, each timed alone at the same width, and the fixes
/// this benchmark suggests tried on scratch copies of the statements.
struct JobQueueProfile {
    let store: FluentStore
    let sql: BenchSQL
    let owner: User
    let plugin: Plugin
    let input: JSONValue
    let jobs: Int
    let width: Int
    let database: BenchDatabaseKind

    func run() async throws {
        let tag = "job-queue[\(database.rawValue)] profile"
        func report(_ label: String, _ elapsed: Double, count: Int? = nil) {
            let count = count ?? jobs
            print(
                String(
                    format: "%@: %-58@ %7.0f/s  %6.3f ms/job", tag, label, Double(count) / elapsed,
                    elapsed * 1000 / Double(jobs)))
        }
        func timed(_ body: () async throws -> Void) async rethrows -> Double {
            let start = ContinuousClock.now
            try await body()
            return (ContinuousClock.now - start).seconds
        }
        let store = self.store
        let plugin = self.plugin
        let admission = JobAdmission(rateLimit: nil, maxQueued: 1_000_000)

        // Enqueue: the admission count scans up to maxQueued queued rows on every insert.
        let batch = makeJobs()
        report(
            "enqueueJob (queue empty at start)",
            try await timed {
                try await forEachConcurrently(jobs, width: width) { try await store.enqueueJob(batch[$0], admission: admission) }
            })
        let worker = "bench-profile"
        var claimed: [Job] = []
        let claimElapsed = try await timed {
            // Steady state: a finished job frees one slot, the dispatcher claims one.
            for _ in 0..<jobs {
                claimed += try await store.claimJobs(
                    worker: worker, limit: 1, now: Date(), leaseUntil: Date().addingTimeInterval(30))
            }
        }
        report("claimJobs(limit: 1), one after another", claimElapsed)
        report(
            "plugin(name:version:) lookup",
            try await timed {
                try await forEachConcurrently(jobs, width: width) { _ in
                    _ = try await store.plugin(name: plugin.name, version: plugin.version)
                }
            })
        let outcomes = claimed.map { job -> (Job, JobEvent) in
            let now = Date()
            let attempt = JobAttempt(attempt: job.attempts, startedAt: now, endedAt: now)
            let done = JobAttemptJudgement.completed(job, result: .object([:]), attempt: attempt, now: now)
            return (
                done,
                JobEvent(jobID: job.id, kind: .status, status: .completed, attempt: job.attempts, message: "completed", at: now)
            )
        }
        report(
            "finishAttempt",
            try await timed {
                try await forEachConcurrently(outcomes.count, width: width) { index in
                    _ = try await store.finishAttempt(
                        outcomes[index].0, worker: worker, leaseExpiredBefore: nil, event: outcomes[index].1)
                }
            }, count: outcomes.count)
        report(
            "countJobs (the benchmark's own poll, 50/s)",
            try await timed { for _ in 0..<100 { _ = try await store.countJobs(ownerID: nil, now: Date()) } } * Double(jobs)
                / 100, count: jobs)

        // Candidate fixes on scratch copies of the statements, on the benchmark's own connection.
        let batch2 = makeJobs()
        report(
            "enqueue without the queued-rows count (scratch)",
            try await timed {
                try await forEachConcurrently(jobs, width: width) { index in
                    try await sql.enqueueWithoutCount(batch2[index], isPostgres: database == .postgres)
                }
            })
        var claimed2: [Job] = []
        let batchClaim = try await timed {
            while claimed2.count < jobs {
                let got = try await store.claimJobs(
                    worker: worker, limit: width, now: Date(), leaseUntil: Date().addingTimeInterval(30))
                if got.isEmpty { break }
                claimed2 += got
            }
        }
        report("claimJobs(limit: \(width)) batches", batchClaim, count: claimed2.count)
        let outcomes2 = claimed2.map { job -> Job in
            let now = Date()
            let attempt = JobAttempt(attempt: job.attempts, startedAt: now, endedAt: now)
            return JobAttemptJudgement.completed(job, result: .object([:]), attempt: attempt, now: now)
        }
        if database == .postgres {
            report(
                "finishAttempt as one statement, events by CTE (scratch)",
                try await timed {
                    try await forEachConcurrently(outcomes2.count, width: width) { index in
                        try await sql.finishInOneStatement([outcomes2[index]], worker: worker)
                    }
                }, count: outcomes2.count)
        } else {
            let chunks = stride(from: 0, to: outcomes2.count, by: width).map {
                Array(outcomes2[$0..<min($0 + width, outcomes2.count)])
            }
            report(
                "finishAttempt, \(width) per transaction (scratch)",
                try await timed {
                    for chunk in chunks { try await sql.finishInOneTransaction(chunk, worker: worker) }
                }, count: outcomes2.count)
        }
    }

    func makeJobs() -> [Job] {
        (0..<jobs).map { _ in
            Job(
                pluginName: plugin.name, pluginVersion: plugin.version, input: input, ownerID: owner.id,
                createdAt: Date(), maxAttempts: 4)
        }
    }
}

// MARK: Databases

enum BenchDatabaseKind: String, ExpressibleByArgument, CaseIterable, Sendable {
    case sqlite
    case postgres
}

/// A throwaway database: a SQLite file in a temporary directory, or a fresh PostgreSQL database
/// `gantry_bench_<random>` made (and dropped) with psql.
struct ScratchDatabase: Sendable {
    let directory: String
    let location: DatabaseLocation
    let postgresName: String?
    let maintenanceURL: String?

    static func create(_ kind: BenchDatabaseKind, postgresURL: String?) throws -> ScratchDatabase {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("gantry-bench-\(UUID().uuidString.prefix(8).lowercased())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        switch kind {
        case .sqlite:
            return ScratchDatabase(
                directory: directory, location: .sqlite(path: directory + "/gantry.sqlite"), postgresName: nil,
                maintenanceURL: nil)
        case .postgres:
            let maintenance = defaultPostgresURL(postgresURL)
            let name = "gantry_bench_\(UUID().uuidString.prefix(12).lowercased())"
            try psql(maintenance, "CREATE DATABASE \(name)")
            guard var components = URLComponents(string: maintenance) else {
                throw BenchClient.Failure(description: "bad PostgreSQL URL \(maintenance)")
            }
            components.path = "/\(name)"
            return ScratchDatabase(
                directory: directory, location: .postgres(url: components.string ?? maintenance), postgresName: name,
                maintenanceURL: maintenance)
        }
    }

    /// The URL of the database itself, for GANTRY_DATABASE_URL; nil for SQLite.
    var postgresURL: String? {
        if case .postgres(let url) = location { url } else { nil }
    }

    func drop() {
        try? FileManager.default.removeItem(atPath: directory)
        if let postgresName, let maintenanceURL {
            try? Self.psql(maintenanceURL, "DROP DATABASE IF EXISTS \(postgresName) WITH (FORCE)")
        }
    }

    static func defaultPostgresURL(_ given: String?) -> String {
        given ?? ProcessInfo.processInfo.environment["GANTRY_TEST_POSTGRES_URL"]
            ?? "postgres://gantry:gantry@127.0.0.1:5432/postgres"
    }

    static func psql(_ url: String, _ statement: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", url, "-X", "-v", "ON_ERROR_STOP=1", "-q", "-c", statement]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw BenchClient.Failure(description: "psql failed: \(message)")
        }
    }
}

/// A SQLKit connection of the benchmark's own, opened as `FluentStore.open` opens its database:
/// SQLite with one connection on one event loop (WAL, synchronous=NORMAL), PostgreSQL with up to
/// 8 connections on one event loop.
struct BenchSQL: Sendable {
    let databases: Databases
    let fluent: any Database
    let db: any SQLDatabase

    static func open(_ location: DatabaseLocation) async throws -> BenchSQL {
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        switch location {
        case .sqlite(let path):
            databases.use(.sqlite(.file(path)), as: .sqlite)
        case .postgres(let url):
            databases.use(try .postgres(url: url, maxConnectionsPerEventLoop: 8), as: .psql)
        }
        var logger = Logger(label: "gantry-bench-sql")
        logger.logLevel = .warning
        guard let database = databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any()),
            let sql = database as? any SQLDatabase
        else {
            await databases.shutdownAsync()
            throw BenchClient.Failure(description: "the benchmark's database connection could not be opened")
        }
        if case .sqlite = location {
            try await sql.raw("PRAGMA synchronous=NORMAL").run()
            try await sql.raw("PRAGMA busy_timeout=5000").run()
        }
        return BenchSQL(databases: databases, fluent: database, db: sql)
    }

    func close() async { await databases.shutdownAsync() }

    static let jobColumns = [
        "id", "plugin_name", "plugin_version", "status", "error_message", "error_code", "owner_id", "created_at",
        "updated_at", "started_at", "completed_at", "attempts", "max_attempts", "run_at", "progress", "dead_lettered",
        "cancel_requested", "lease_owner", "lease_expires_at", "history_json", "input_json", "result_json",
    ]

    static func values(_ job: Job, id: UUID, status: String) -> [any SQLExpression] {
        [
            SQLBind(id), SQLBind(job.pluginName), SQLBind(job.pluginVersion), SQLBind(status),
            SQLBind(job.errorMessage), SQLBind(job.errorCode), SQLBind(job.ownerID), SQLBind(job.createdAt),
            SQLBind(job.updatedAt), SQLBind(job.startedAt), SQLBind(job.completedAt), SQLBind(job.attempts),
            SQLBind(job.maxAttempts), SQLBind(job.runAt), SQLBind(job.progress), SQLBind(job.deadLettered),
            SQLBind(job.cancelRequested), SQLBind(job.leaseOwner), SQLBind(job.leaseExpiresAt), SQLBind("[]"),
            SQLBind(job.input.serializedString()), SQLBind(job.result?.serializedString()),
        ]
    }

    /// The enqueue baseline: the job's row alone, one autocommitted INSERT (status completed, so
    /// it never joins the queue).
    func insertPlainJob(_ job: Job, id: UUID) async throws {
        try await db.insert(into: "jobs").columns(Self.jobColumns).values(Self.values(job, id: id, status: "completed"))
            .run()
    }

    /// Scratch copy of `enqueueJob` without the queued-rows count (the admission bound kept by
    /// other means): the row lock on PostgreSQL, the job and its first event in one transaction.
    func enqueueWithoutCount(_ job: Job, isPostgres: Bool) async throws {
        try await fluent.transaction { tx in
            guard let sql = tx as? any SQLDatabase else { return }
            if isPostgres {
                try await sql.raw("SELECT id FROM users WHERE id = \(bind: job.ownerID) FOR UPDATE").run()
            }
            try await sql.insert(into: "jobs").columns(Self.jobColumns)
                .values(Self.values(job, id: job.id, status: "queued")).run()
            try await sql.insert(into: "job_events").columns("job_id", "kind", "status", "attempt", "message", "at")
                .values(
                    SQLBind(job.id), SQLBind("status"), SQLBind("queued"), SQLBind(0), SQLBind("queued"),
                    SQLBind(job.createdAt)
                ).run()
        }
    }

    /// Scratch copy of `finishAttempt` for PostgreSQL: the update and its event in one statement
    /// (a data-modifying CTE, as `claimJobs` already does), no explicit transaction.
    func finishInOneStatement(_ jobs: [Job], worker: String) async throws {
        for job in jobs {
            try await db.raw(
                """
                WITH done AS (UPDATE jobs SET status = \(bind: job.status.rawValue), \
                result_json = \(bind: job.result?.serializedString()), error_message = \(bind: job.errorMessage), \
                error_code = \(bind: job.errorCode), completed_at = \(bind: job.completedAt), \
                run_at = \(bind: job.runAt), progress = \(bind: job.progress), \
                dead_lettered = \(bind: job.deadLettered), attempts = \(bind: job.attempts), lease_owner = NULL, \
                lease_expires_at = NULL, history_json = \(bind: "[]"), updated_at = \(bind: job.updatedAt) \
                WHERE id = \(bind: job.id) AND status = 'processing' AND lease_owner = \(bind: worker) \
                RETURNING id, attempts) \
                INSERT INTO job_events (job_id, kind, status, attempt, message, at) \
                SELECT id, 'status', \(bind: job.status.rawValue), attempts, 'completed', \(bind: job.updatedAt) \
                FROM done
                """
            ).run()
        }
    }

    /// Scratch copy of `finishAttempt` for SQLite, batched: several outcomes written in one
    /// transaction (one commit, one WAL append) instead of one each.
    func finishInOneTransaction(_ jobs: [Job], worker: String) async throws {
        try await fluent.transaction { tx in
            guard let sql = tx as? any SQLDatabase else { return }
            var events: [[any SQLExpression]] = []
            for job in jobs {
                let rows = try await sql.raw(
                    """
                    UPDATE jobs SET status = \(bind: job.status.rawValue), \
                    result_json = \(bind: job.result?.serializedString()), \
                    error_message = \(bind: job.errorMessage), error_code = \(bind: job.errorCode), \
                    completed_at = \(bind: job.completedAt), run_at = \(bind: job.runAt), \
                    progress = \(bind: job.progress), dead_lettered = \(bind: job.deadLettered), \
                    attempts = \(bind: job.attempts), lease_owner = NULL, lease_expires_at = NULL, \
                    history_json = \(bind: "[]"), updated_at = \(bind: job.updatedAt) \
                    WHERE id = \(bind: job.id) AND status = 'processing' AND lease_owner = \(bind: worker) \
                    RETURNING id, attempts
                    """
                ).all()
                if !rows.isEmpty {
                    events.append([
                        SQLBind(job.id), SQLBind("status"), SQLBind(job.status.rawValue), SQLBind(job.attempts),
                        SQLBind("completed"), SQLBind(job.updatedAt),
                    ])
                }
            }
            guard !events.isEmpty else { return }
            var insert = sql.insert(into: "job_events").columns("job_id", "kind", "status", "attempt", "message", "at")
            for row in events { insert = insert.values(row) }
            try await insert.run()
        }
    }
}

// MARK: Helpers

/// Runs `body(0..<count)` with at most `width` calls in flight.
func forEachConcurrently(
    _ count: Int, width: Int, _ body: @escaping @Sendable (Int) async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        while next < min(max(width, 1), count) {
            let index = next
            group.addTask { try await body(index) }
            next += 1
        }
        while try await group.next() != nil {
            if next < count {
                let index = next
                group.addTask { try await body(index) }
                next += 1
            }
        }
    }
}

/// A logger that keeps benchmarks quiet: warnings and worse only.
func benchLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel =
        ProcessInfo.processInfo.environment["GANTRY_BENCH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        ?? .warning
    return logger
}
