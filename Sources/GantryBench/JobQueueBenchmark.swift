import ArgumentParser
import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import GantryCore
import GantryPorts
import GantryServices
import GantryStore
import Logging
import NIOPosix
import SQLKit
import Synchronization

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
        let executor = NoopJobExecutor()
        let pool = JobWorkerPool(
            store: store, executor: executor, runtimes: StaticRuntimeDirectory([:]), settings: settings,
            schemas: JobSchemaCache(), signal: JobQueueSignal(), registry: JobRunRegistry(), logger: logger)
        let drainStart = ContinuousClock.now
        let poolTask = Task { await pool.run() }
        // Until every job has been run the poll costs no query (SQLite has one connection); then
        // the store says when the last outcome is written.
        var finished = JobCounts(byStatus: [:], deadLettered: 0, due: 0)
        let deadline = ContinuousClock.now + .seconds(600)
        while executor.runs < jobs, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        while ContinuousClock.now < deadline {
            finished = try await store.countJobs(ownerID: nil, now: Date())
            if (finished.byStatus[.completed] ?? 0) + (finished.byStatus[.failed] ?? 0) >= jobs { break }
            try await Task.sleep(for: .milliseconds(2))
        }
        let drainElapsed = (ContinuousClock.now - drainStart).seconds
        poolTask.cancel()
        await poolTask.value
        let completed = finished.byStatus[.completed] ?? 0
        guard completed == jobs else {
            throw BenchClient.Failure(description: "job-queue: only \(completed)/\(jobs) completed: \(finished)")
        }

        // Every claim writes its jobs' `processing` events with one timestamp: claims made.
        let claims =
            try await sql.db.raw(
                "SELECT COUNT(DISTINCT at) AS n FROM job_events WHERE status = 'processing'"
            ).first()?.decode(column: "n", as: Int.self) ?? 0

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
                    "job-queue[%@]: %.0f jobs/s completed (target >= %d)   baseline bare UPDATE per job: %.0f/s   ratio %.2fx (gantry/baseline)",
                name, rate, target, baselineRate, rate / baselineRate))
        print(
            String(
                format: "job-queue[%@]: the workers claimed in %d batches, %.1f jobs per claim on average", name,
                claims, Double(jobs) / Double(max(claims, 1))))
        print(
            String(
                format:
                    "job-queue[%@]: enqueue %.0f jobs/s   baseline bare INSERT per job: %.0f/s   ratio %.2fx (gantry/baseline)",
                name, enqueueRate, insertRate, enqueueRate / insertRate))

        if profile {
            try await JobQueueProfile(
                store: store, sql: sql, owner: owner, plugin: plugin, input: input, jobs: min(jobs, 1000),
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

/// A `JobExecutor` that returns a successful, empty result at once, and counts its runs.
final class NoopJobExecutor: JobExecutor {
    private let count = Mutex(0)

    var runs: Int { count.withLock { $0 } }

    func run(
        _ job: Job, attempt: Int, plugin: Plugin, control: JobRunControl, progress: @escaping @Sendable (Double) -> Void
    ) async throws(JobFailure) -> JobRunOutput {
        count.withLock { $0 += 1 }
        return JobRunOutput(exitCode: 0, stdout: "{}", stderrTail: "")
    }
}

/// Where a job's time goes: each store call a worker makes per job, timed alone (same width as
/// the pool), and the fixes this benchmark suggests, tried on scratch copies of the statements
/// on the benchmark's own connection.
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
        func report(_ label: String, _ elapsed: Double, count: Int) {
            print(
                String(
                    format: "%@: %@ %7.0f/s  %6.3f ms each", tag,
                    label.padding(toLength: 62, withPad: " ", startingAt: 0), Double(count) / elapsed,
                    elapsed * 1000 / Double(max(count, 1))))
        }
        func timed(_ body: () async throws -> Void) async rethrows -> Double {
            let start = ContinuousClock.now
            try await body()
            return (ContinuousClock.now - start).seconds
        }
        let store = self.store
        let sql = self.sql
        let plugin = self.plugin
        let width = self.width
        let isPostgres = database == .postgres
        let admission = JobAdmission(rateLimit: nil, maxQueued: 1_000_000)
        let worker = "bench-profile"

        // Enqueue, three ways: the store's; without the queued-rows count; without the count and
        // (PostgreSQL) without the owner's row lock. Each adds `jobs` to the queue.
        let first = makeJobs()
        let second = makeJobs()
        let third = makeJobs()
        report(
            "enqueueJob (store)",
            try await timed {
                try await forEachConcurrently(jobs, width: width) {
                    try await store.enqueueJob(first[$0], admission: admission)
                }
            }, count: jobs)
        report(
            "enqueue without the queued-rows COUNT (scratch)",
            try await timed {
                try await forEachConcurrently(jobs, width: width) {
                    try await sql.enqueueWithoutCount(second[$0], lockOwner: isPostgres)
                }
            }, count: jobs)
        if isPostgres {
            report(
                "enqueue without COUNT, without owner FOR UPDATE (scratch)",
                try await timed {
                    try await forEachConcurrently(jobs, width: width) {
                        try await sql.enqueueWithoutCount(third[$0], lockOwner: false)
                    }
                }, count: jobs)
        } else {
            try await forEachConcurrently(jobs, width: width) {
                try await sql.enqueueWithoutCount(third[$0], lockOwner: false)
            }
        }

        // The admission check alone, at the depth the queue has now.
        let depth = jobs * 3
        report(
            "the admission COUNT alone, \(depth) queued",
            try await timed {
                for _ in 0..<100 {
                    _ = try await sql.db.raw(
                        """
                        SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM jobs WHERE status = 'queued' \
                        LIMIT \(bind: 10_000)) q
                        """
                    ).first()
                }
            }, count: 100)

        // Claims: one at a time (what the dispatcher does once every slot is busy: a finished
        // job frees one slot and wakes it), and in batches of `width`.
        var single: [Job] = []
        let singleElapsed = try await timed {
            for _ in 0..<jobs {
                single += try await store.claimJobs(
                    worker: worker, limit: 1, now: Date(), leaseUntil: Date().addingTimeInterval(60))
            }
        }
        report("claimJobs(limit: 1), one after another", singleElapsed, count: single.count)
        var batched: [Job] = []
        let batchedElapsed = try await timed {
            while batched.count < jobs {
                let got = try await store.claimJobs(
                    worker: worker, limit: width, now: Date(), leaseUntil: Date().addingTimeInterval(60))
                if got.isEmpty { break }
                batched += got
            }
        }
        report("claimJobs(limit: \(width)), one after another", batchedElapsed, count: batched.count)

        report(
            "plugin(name:version:), \(width) in flight",
            try await timed {
                try await forEachConcurrently(jobs, width: width) { _ in
                    _ = try await store.plugin(name: plugin.name, version: plugin.version)
                }
            }, count: jobs)

        // Outcomes: the store's finishAttempt, `width` in flight, then scratch variants.
        let singleDone = single.map(Self.completed)
        let singleEvents = singleDone.map {
            JobEvent(
                jobID: $0.id, kind: .status, status: .completed, attempt: $0.attempts, message: "completed", at: Date())
        }
        report(
            "finishAttempt (store), \(width) in flight",
            try await timed {
                try await forEachConcurrently(singleDone.count, width: width) { index in
                    _ = try await store.finishAttempt(
                        singleDone[index], worker: worker, leaseExpiredBefore: nil, event: singleEvents[index])
                }
            }, count: singleDone.count)
        var batchedDone = batched.map(Self.completed)
        if isPostgres {
            let half = Array(batchedDone.prefix(batchedDone.count / 2))
            batchedDone.removeFirst(half.count)
            report(
                "finish as one statement, event by CTE (scratch), \(width) in flight",
                try await timed {
                    try await forEachConcurrently(half.count, width: width) { index in
                        try await sql.finishInOneStatement(half[index], worker: worker)
                    }
                }, count: half.count)
        }
        let chunks = stride(from: 0, to: batchedDone.count, by: width).map {
            Array(batchedDone[$0..<min($0 + width, batchedDone.count)])
        }
        report(
            "finish \(width) outcomes per transaction (scratch)",
            try await timed {
                for chunk in chunks {
                    try await sql.finishInOneTransaction(chunk, worker: worker, isPostgres: isPostgres)
                }
            },
            count: batchedDone.count)

        // Scratch worker loops with both fixes: claim up to a batch, run them (no-op), write all
        // their outcomes with one commit. One loop of `width`; on PostgreSQL then 4 loops of
        // `width / 4` side by side (claims and commits overlap, `width` jobs held in all). Each
        // drains half the queue left. (SQLite has one connection: loops side by side gain nothing.)
        let half = isPostgres ? jobs / 2 : jobs
        let oneLoop = try await timed {
            _ = try await Self.drain(half, batch: width, store: store, sql: sql, isPostgres: isPostgres)
        }
        report("scratch worker loop: claim \(width), finish \(width) per commit", oneLoop, count: half)
        if isPostgres {
            let rest = jobs - half
            let quarter = max(1, width / 4)
            let parallel = try await timed {
                try await forEachConcurrently(4, width: 4) { part in
                    _ = try await Self.drain(
                        rest / 4 + (part < rest % 4 ? 1 : 0), batch: quarter, store: store, sql: sql,
                        isPostgres: isPostgres)
                }
            }
            report("4 scratch loops side by side, batches of \(quarter)", parallel, count: rest)
        }

        var polls = 0
        let pollElapsed = try await timed {
            for _ in 0..<50 {
                _ = try await store.countJobs(ownerID: nil, now: Date())
                polls += 1
            }
        }
        report("countJobs, all jobs (housekeeping, GET /jobs/stats)", pollElapsed, count: polls)
    }

    /// Claims and finishes up to `count` jobs in batches of at most `batch`; returns how many.
    static func drain(
        _ count: Int, batch: Int, store: FluentStore, sql: BenchSQL, isPostgres: Bool
    ) async throws -> Int {
        var drained = 0
        while drained < count {
            let got = try await store.claimJobs(
                worker: "bench-profile", limit: min(batch, count - drained), now: Date(),
                leaseUntil: Date().addingTimeInterval(60))
            if got.isEmpty { break }
            try await sql.finishInOneTransaction(got.map(completed), worker: "bench-profile", isPostgres: isPostgres)
            drained += got.count
        }
        return drained
    }

    static func completed(_ job: Job) -> Job {
        let now = Date()
        let attempt = JobAttempt(attempt: job.attempts, startedAt: now, endedAt: now)
        return JobAttemptJudgement.completed(job, result: .object([:]), attempt: attempt, now: now)
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
            let name =
                "gantry_bench_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased())"
            do {
                try psql(maintenance, "CREATE DATABASE \(name)")
            } catch {
                try? FileManager.default.removeItem(atPath: directory)
                throw error
            }
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
    func enqueueWithoutCount(_ job: Job, lockOwner: Bool) async throws {
        try await fluent.transaction { tx in
            guard let sql = tx as? any SQLDatabase else { return }
            if lockOwner {
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

    /// What the store writes as a one-attempt history, for the scratch statements.
    static let historyStandIn =
        #"[{"attempt":1,"started_at":"2026-01-01T00:00:00.000Z","ended_at":"2026-01-01T00:00:00.001Z"}]"#

    /// Scratch copy of `finishAttempt` for PostgreSQL: the update and its event in one statement
    /// (a data-modifying CTE, as `claimJobs` already does), no explicit transaction.
    func finishInOneStatement(_ job: Job, worker: String) async throws {
        try await db.raw(
            """
            WITH done AS (UPDATE jobs SET status = \(bind: job.status.rawValue), \
            result_json = \(bind: job.result?.serializedString()), error_message = \(bind: job.errorMessage), \
            error_code = \(bind: job.errorCode), completed_at = \(bind: job.completedAt), \
            run_at = \(bind: job.runAt), progress = \(bind: job.progress), \
            dead_lettered = \(bind: job.deadLettered), attempts = \(bind: job.attempts), lease_owner = NULL, \
            lease_expires_at = NULL, history_json = \(bind: Self.historyStandIn), updated_at = \(bind: job.updatedAt) \
            WHERE id = \(bind: job.id) AND status = 'processing' AND lease_owner = \(bind: worker) \
            RETURNING id, attempts) \
            INSERT INTO job_events (job_id, kind, status, attempt, message, at) \
            SELECT id, 'status', \(bind: job.status.rawValue), attempts, 'completed', \(bind: job.updatedAt) \
            FROM done
            """
        ).run()
    }

    /// Scratch copy of `finishAttempt`, batched: several outcomes and their events written with one
    /// commit. PostgreSQL: one statement (`UPDATE … FROM (VALUES …)` and the events by CTE);
    /// SQLite: an UPDATE per outcome and one multi-row INSERT in one transaction.
    func finishInOneTransaction(_ jobs: [Job], worker: String, isPostgres: Bool) async throws {
        guard !jobs.isEmpty else { return }
        if isPostgres {
            var rows = SQLQueryString("")
            for (index, job) in jobs.enumerated() {
                rows =
                    rows
                    + SQLQueryString(
                        """
                        \(unsafeRaw: index == 0 ? "" : ", ")(\(bind: job.id)::uuid, \(bind: job.status.rawValue)::text, \
                        \(bind: job.result?.serializedString())::text, \(bind: job.errorMessage)::text, \
                        \(bind: job.errorCode)::text, \(bind: job.completedAt)::timestamptz, \
                        \(bind: job.runAt)::timestamptz, \(bind: job.progress)::float8, \(bind: job.deadLettered)::bool, \
                        \(bind: Int64(job.attempts))::bigint, \(bind: Self.historyStandIn)::text, \
                        \(bind: job.updatedAt)::timestamptz)
                        """)
            }
            let statement =
                SQLQueryString(
                    """
                    WITH outcome (id, status, result_json, error_message, error_code, completed_at, run_at, progress, \
                    dead_lettered, attempts, history_json, updated_at) AS (VALUES 
                    """) + rows
                + SQLQueryString(
                    """
                    ), done AS (UPDATE jobs SET status = o.status, result_json = o.result_json, \
                    error_message = o.error_message, error_code = o.error_code, completed_at = o.completed_at, \
                    run_at = o.run_at, progress = o.progress, dead_lettered = o.dead_lettered, attempts = o.attempts, \
                    lease_owner = NULL, lease_expires_at = NULL, history_json = o.history_json, \
                    updated_at = o.updated_at FROM outcome o WHERE jobs.id = o.id AND jobs.status = 'processing' \
                    AND jobs.lease_owner = \(bind: worker) RETURNING jobs.id, jobs.attempts, jobs.status, jobs.updated_at) \
                    INSERT INTO job_events (job_id, kind, status, attempt, message, at) \
                    SELECT id, 'status', status, attempts, 'completed', updated_at FROM done
                    """)
            try await db.raw(statement).run()
            return
        }
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
                    history_json = \(bind: Self.historyStandIn), updated_at = \(bind: job.updatedAt) \
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
