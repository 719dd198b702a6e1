import FluentKit
import Foundation
import GantryCore
import GantryPorts
import SQLKit

/// The job queue. Hot statements are SQL of their own: on PostgreSQL a claim is one
/// `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)` that also writes its events through a
/// CTE; SQLite has a single connection, so the same statements in one transaction are atomic.
extension FluentStore {
    var isPostgres: Bool { location.isPostgres }

    public func enqueueJob(_ job: Job, admission: JobAdmission) async throws {
        try await db.transaction { tx in
            let sql = try Self.sql(tx)
            if self.isPostgres, admission.rateLimit != nil {
                // Serialises one user's submissions, so the rate limit cannot be raced past.
                try await sql.raw("SELECT id FROM users WHERE id = \(bind: job.ownerID) FOR UPDATE").run()
            }
            if let limit = admission.rateLimit {
                let windowStart = job.createdAt.addingTimeInterval(-admission.rateWindow.seconds)
                let recent = try await sql.raw(
                    """
                    SELECT created_at FROM jobs WHERE owner_id = \(bind: job.ownerID) \
                    AND created_at > \(bind: windowStart) ORDER BY created_at LIMIT \(bind: limit)
                    """
                ).all()
                if recent.count >= limit, let oldest = try recent.first?.decode(column: "created_at", as: Date.self) {
                    let wait = oldest.addingTimeInterval(admission.rateWindow.seconds).timeIntervalSince(job.createdAt)
                    throw JobAdmissionError.rateLimited(
                        limit: limit, retryAfter: .milliseconds(Int64(max(wait, 0.001) * 1000)))
                }
            }
            if admission.checksQueueDepth,
                try await Self.countQueuedJobs(upTo: admission.maxQueued, on: sql) >= admission.maxQueued
            {
                throw JobAdmissionError.queueFull(maxQueued: admission.maxQueued)
            }
            try await sql.insert(into: JobRow.table).columns(JobRow.columns)
                .values(Self.jobValues(job)).run()
            try await Self.insertEvents(
                [
                    JobEvent(
                        jobID: job.id, kind: .status, status: .queued, attempt: 0, message: "queued", at: job.createdAt)
                ],
                on: sql)
        }
    }

    public func countQueuedJobs(upTo limit: Int) async throws -> Int {
        try await Self.countQueuedJobs(upTo: limit, on: sql)
    }

    static func countQueuedJobs(upTo limit: Int, on sql: any SQLDatabase) async throws -> Int {
        try await sql.raw(
            """
            SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM jobs WHERE status = 'queued' LIMIT \(bind: limit)) q
            """
        ).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    public func job(id: UUID) async throws -> Job? {
        try await sql.select().columns(JobRow.columns).from(JobRow.table).where("id", .equal, id).first()
            .map(JobRow.decode)
    }

    public func listJobs(
        _ filter: JobFilter, skip: Int, limit: Int, withPayloads: Bool
    ) async throws -> GantryPorts.Page<Job> {
        let sql = try self.sql
        func filtered<B: SQLPredicateBuilder>(_ builder: B) -> B {
            var builder = builder
            if let owner = filter.ownerID { builder = builder.where("owner_id", .equal, owner) }
            if let status = filter.status { builder = builder.where("status", .equal, status.rawValue) }
            if let plugin = filter.pluginName { builder = builder.where("plugin_name", .equal, plugin) }
            if filter.deadLetteredOnly { builder = builder.where("dead_lettered", .equal, true) }
            return builder
        }
        let total =
            try await filtered(
                sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(JobRow.table)
            )
            .first()?.decode(column: "n", as: Int.self) ?? 0
        let columns = withPayloads ? JobRow.columns : JobRow.summaryColumns
        let items = try await filtered(sql.select().columns(columns).from(JobRow.table))
            .orderBy("created_at", .descending).orderBy("id").offset(skip).limit(limit).all().map(JobRow.decode)
        return Page(total: total, items: items)
    }

    public func countJobs(ownerID: UUID?, now: Date) async throws -> JobCounts {
        let sql = try self.sql
        var grouped = sql.select().column("status").column("dead_lettered")
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(JobRow.table)
        if let ownerID { grouped = grouped.where("owner_id", .equal, ownerID) }
        var byStatus = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0, 0) })
        var dead = 0
        for row in try await grouped.groupBy("status").groupBy("dead_lettered").all() {
            let count = try row.decode(column: "n", as: Int.self)
            if let status = JobStatus(rawValue: try row.decode(column: "status", as: String.self)) {
                byStatus[status, default: 0] += count
            }
            if try row.decode(column: "dead_lettered", as: Bool.self) { dead += count }
        }
        var due = sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(JobRow.table)
            .where("status", .equal, JobStatus.queued.rawValue).where("run_at", .lessThanOrEqual, now)
        if let ownerID { due = due.where("owner_id", .equal, ownerID) }
        let dueCount = try await due.first()?.decode(column: "n", as: Int.self) ?? 0
        return JobCounts(byStatus: byStatus, deadLettered: dead, due: dueCount)
    }

    public func claimJobs(worker: String, limit: Int, now: Date, leaseUntil: Date) async throws -> [Job] {
        guard limit > 0 else { return [] }
        let columns = SQLQueryString("\(idents: JobRow.columns, joinedBy: ", ")")
        let update: SQLQueryString = """
            UPDATE jobs SET status = 'processing', lease_owner = \(bind: worker), \
            lease_expires_at = \(bind: leaseUntil), attempts = attempts + 1, \
            started_at = COALESCE(started_at, \(bind: now)), updated_at = \(bind: now), progress = NULL \
            WHERE status = 'queued' AND id IN (SELECT id FROM jobs WHERE status = 'queued' \
            AND run_at <= \(bind: now) ORDER BY run_at LIMIT \(bind: limit)\
            \(unsafeRaw: isPostgres ? " FOR UPDATE SKIP LOCKED" : "")) \
            RETURNING \(columns)
            """
        if isPostgres {
            let statement: SQLQueryString = """
                WITH claimed AS (\(update)), \
                events AS (INSERT INTO job_events (job_id, kind, status, attempt, message, at) \
                SELECT id, 'status', 'processing', attempts, \(bind: "attempt started by \(worker)"), \(bind: now) \
                FROM claimed) \
                SELECT \(columns) FROM claimed
                """
            return try await sql.raw(statement).all().map(JobRow.decode)
        }
        return try await db.transaction { tx in
            let sql = try Self.sql(tx)
            let jobs = try await sql.raw(update).all().map(JobRow.decode)
            try await Self.insertEvents(
                jobs.map {
                    JobEvent(
                        jobID: $0.id, kind: .status, status: .processing, attempt: $0.attempts,
                        message: "attempt started by \(worker)", at: now)
                }, on: sql)
            return jobs
        }
    }

    public func renewLeases(worker: String, jobIDs: [UUID], until: Date) async throws -> [JobLeaseStatus] {
        guard !jobIDs.isEmpty else { return [] }
        return try await sql.raw(
            """
            UPDATE jobs SET lease_expires_at = \(bind: until) WHERE lease_owner = \(bind: worker) \
            AND status = 'processing' AND id IN (\(binds: jobIDs)) RETURNING id, cancel_requested
            """
        ).all().map {
            JobLeaseStatus(
                jobID: try $0.decode(column: "id", as: UUID.self),
                cancelRequested: try $0.decode(column: "cancel_requested", as: Bool.self))
        }
    }

    public func recordProgress(jobID: UUID, worker: String, progress: Double, at now: Date) async throws {
        let update: SQLQueryString = """
            UPDATE jobs SET progress = \(bind: progress), updated_at = \(bind: now) WHERE id = \(bind: jobID) \
            AND lease_owner = \(bind: worker) AND status = 'processing' RETURNING id, attempts
            """
        try await updateWithEvents(update) { row in
            JobEvent(
                jobID: jobID, kind: .progress, status: .processing,
                attempt: try row.decode(column: "attempts", as: Int.self),
                progress: progress, at: now)
        }
    }

    public func finishAttempt(
        _ job: Job, worker: String, leaseExpiredBefore: Date?, event: JobEvent
    ) async throws -> Bool {
        try await db.transaction { tx in
            let sql = try Self.sql(tx)
            let written = try await Self.writeOutcome(
                job, worker: worker, leaseExpiredBefore: leaseExpiredBefore, on: sql)
            if written { try await Self.insertEvents([event], on: sql) }
            return written
        }
    }

    public func finishAttempts(_ outcomes: [JobOutcome], worker: String) async throws -> Set<UUID> {
        guard !outcomes.isEmpty else { return [] }
        if isPostgres {
            return try await finishAttemptsInOneStatement(outcomes, worker: worker)
        }
        return try await db.transaction { tx in
            let sql = try Self.sql(tx)
            var written: Set<UUID> = []
            for outcome in outcomes
            where try await Self.writeOutcome(outcome.job, worker: worker, leaseExpiredBefore: nil, on: sql) {
                written.insert(outcome.job.id)
            }
            try await Self.insertEvents(outcomes.filter { written.contains($0.job.id) }.map(\.event), on: sql)
            return written
        }
    }

    /// PostgreSQL: every outcome and its event in one statement (a data-modifying CTE over a
    /// VALUES list), so a batch costs one round trip and one commit.
    private func finishAttemptsInOneStatement(_ outcomes: [JobOutcome], worker: String) async throws -> Set<UUID> {
        var rows: [SQLQueryString] = []
        var events: [SQLQueryString] = []
        for outcome in outcomes {
            let job = outcome.job
            let event = outcome.event
            rows.append(
                """
                (\(bind: job.id)::uuid, \(bind: job.status.rawValue)::text, \(bind: job.result?.serializedString())::text, \
                \(bind: job.errorMessage)::text, \(bind: job.errorCode)::text, \(bind: job.completedAt)::timestamptz, \
                \(bind: job.runAt)::timestamptz, \(bind: job.progress)::double precision, \(bind: job.deadLettered)::boolean, \
                \(bind: job.attempts)::bigint, \(bind: JobRow.encodeHistory(job.history))::text, \
                \(bind: job.updatedAt)::timestamptz)
                """)
            events.append(
                """
                (\(bind: event.jobID)::uuid, \(bind: event.kind.rawValue)::text, \(bind: event.status.rawValue)::text, \
                \(bind: event.attempt)::bigint, \(bind: event.progress)::double precision, \(bind: event.message)::text, \
                \(bind: event.at)::timestamptz)
                """)
        }
        let statement: SQLQueryString = """
            WITH outcome (id, status, result_json, error_message, error_code, completed_at, run_at, progress, \
            dead_lettered, attempts, history_json, updated_at) AS (VALUES \(rows.joined(separator: ", "))), \
            done AS (UPDATE jobs SET status = o.status, result_json = o.result_json, error_message = o.error_message, \
            error_code = o.error_code, completed_at = o.completed_at, run_at = o.run_at, progress = o.progress, \
            dead_lettered = o.dead_lettered, attempts = o.attempts, lease_owner = NULL, lease_expires_at = NULL, \
            history_json = o.history_json, updated_at = o.updated_at FROM outcome o \
            WHERE jobs.id = o.id AND jobs.status = 'processing' AND jobs.lease_owner = \(bind: worker) \
            RETURNING jobs.id), \
            event (job_id, kind, status, attempt, progress, message, at) AS (VALUES \(events.joined(separator: ", "))) \
            INSERT INTO job_events (job_id, kind, status, attempt, progress, message, at) \
            SELECT e.job_id, e.kind, e.status, e.attempt, e.progress, e.message, e.at FROM event e \
            JOIN done ON done.id = e.job_id RETURNING job_id
            """
        return Set(try await sql.raw(statement).all().map { try $0.decode(column: "job_id", as: UUID.self) })
    }

    /// The outcome's row update, only while `worker` holds the job; whether it was written.
    static func writeOutcome(
        _ job: Job, worker: String, leaseExpiredBefore: Date?, on sql: any SQLDatabase
    ) async throws -> Bool {
        var update: SQLQueryString = """
            UPDATE jobs SET status = \(bind: job.status.rawValue), result_json = \(bind: job.result?.serializedString()), \
            error_message = \(bind: job.errorMessage), error_code = \(bind: job.errorCode), \
            completed_at = \(bind: job.completedAt), run_at = \(bind: job.runAt), progress = \(bind: job.progress), \
            dead_lettered = \(bind: job.deadLettered), attempts = \(bind: job.attempts), lease_owner = NULL, \
            lease_expires_at = NULL, \
            history_json = \(bind: JobRow.encodeHistory(job.history)), updated_at = \(bind: job.updatedAt) \
            WHERE id = \(bind: job.id) AND status = 'processing' AND lease_owner = \(bind: worker)
            """
        if let leaseExpiredBefore {
            update = update + SQLQueryString(" AND lease_expires_at < \(bind: leaseExpiredBefore)")
        }
        update = update + SQLQueryString(" RETURNING id")
        return try await !sql.raw(update).all().isEmpty
    }

    public func jobsWithExpiredLeases(now: Date, limit: Int) async throws -> [Job] {
        try await sql.select().columns(JobRow.columns).from(JobRow.table)
            .where("status", .equal, JobStatus.processing.rawValue).where("lease_expires_at", .lessThan, now)
            .orderBy("lease_expires_at").limit(limit).all().map(JobRow.decode)
    }

    public func expireQueuedJobs(dueBefore: Date, failure: JobFailure, at now: Date) async throws -> [UUID] {
        try await db.transaction { tx in
            try await Self.failQueuedJobs(
                where: SQLQueryString("run_at < \(bind: dueBefore)"), failure: failure, deadLetter: true, at: now,
                on: try Self.sql(tx))
        }
    }

    public func cancelJob(id: UUID, failure: JobFailure, at now: Date) async throws -> Job? {
        try await db.transaction { tx in
            let sql = try Self.sql(tx)
            let failed = try await Self.failQueuedJobs(
                where: SQLQueryString("id = \(bind: id)"), failure: failure, deadLetter: false, at: now, on: sql)
            guard failed.isEmpty else { return }
            try await sql.raw(
                """
                UPDATE jobs SET cancel_requested = \(bind: true), updated_at = \(bind: now) \
                WHERE id = \(bind: id) AND status = 'processing'
                """
            ).run()
        }
        return try await job(id: id)
    }

    public func requeueJob(id: UUID, maxAttempts: Int, at now: Date) async throws -> Job? {
        let update: SQLQueryString = """
            UPDATE jobs SET status = 'queued', dead_lettered = \(bind: false), attempts = 0, \
            max_attempts = \(bind: maxAttempts), run_at = \(bind: now), error_message = NULL, error_code = NULL, \
            completed_at = NULL, result_json = NULL, progress = NULL, cancel_requested = \(bind: false), \
            updated_at = \(bind: now) \
            WHERE id = \(bind: id) AND status = 'failed' AND dead_lettered = \(bind: true) \
            RETURNING \(unsafeRaw: JobRow.columns.joined(separator: ", "))
            """
        // The job as the update left it: read back afterwards, a worker may already have claimed it.
        let rows = try await db.transaction { tx in
            try await Self.updateWithEvents(update, on: try Self.sql(tx)) { _ in
                JobEvent(
                    jobID: id, kind: .status, status: .queued, attempt: 0, message: "requeued from the dead letters",
                    at: now)
            }
        }
        return try rows.first.map(JobRow.decode)
    }

    public func jobEvents(jobID: UUID, after sequence: Int64) async throws -> [JobEvent] {
        try await sql.select().columns(JobEventRow.columns).from(JobEventRow.table)
            .where("job_id", .equal, jobID).where("sequence", .greaterThan, sequence).orderBy("sequence").all()
            .map(JobEventRow.decode)
    }

    // MARK: Helpers

    /// Fails queued jobs matching `predicate` with `failure`, writing an event for each. Runs on
    /// `sql` as given: the caller decides the transaction. Returns their ids.
    @discardableResult
    static func failQueuedJobs(
        where predicate: SQLQueryString, failure: JobFailure, deadLetter: Bool, at now: Date, on sql: any SQLDatabase
    ) async throws -> [UUID] {
        let update: SQLQueryString =
            """
            UPDATE jobs SET status = 'failed', error_code = \(bind: failure.reason.rawValue), \
            error_message = \(bind: failure.message), dead_lettered = \(bind: deadLetter), \
            completed_at = \(bind: now), updated_at = \(bind: now) WHERE status = 'queued' AND 
            """ + predicate + SQLQueryString(" RETURNING id, attempts")
        let rows = try await updateWithEvents(update, on: sql) { row in
            JobEvent(
                jobID: try row.decode(column: "id", as: UUID.self), kind: .status, status: .failed,
                attempt: try row.decode(column: "attempts", as: Int.self), message: failure.description, at: now)
        }
        return try rows.map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// Runs an `UPDATE … RETURNING id, attempts` and writes one event per updated row, in one
    /// transaction. Returns how many rows it updated.
    @discardableResult
    func updateWithEvents(
        _ update: SQLQueryString, event: @escaping @Sendable (any SQLRow) throws -> JobEvent
    ) async throws -> Int {
        try await db.transaction { tx in
            try await Self.updateWithEvents(update, on: try Self.sql(tx), event: event).count
        }
    }

    /// The update and its events on `sql`; the caller provides the transaction.
    static func updateWithEvents(
        _ update: SQLQueryString, on sql: any SQLDatabase, event: @Sendable (any SQLRow) throws -> JobEvent
    ) async throws -> [any SQLRow] {
        let rows = try await sql.raw(update).all()
        try await insertEvents(rows.map(event), on: sql)
        return rows
    }

    static func insertEvents(_ events: [JobEvent], on sql: any SQLDatabase) async throws {
        guard !events.isEmpty else { return }
        var insert = sql.insert(into: JobEventRow.table).columns(Array(JobEventRow.columns.dropFirst()))
        for event in events { insert = insert.values(JobEventRow.values(event)) }
        try await insert.run()
    }

    static func jobValues(_ job: Job) -> [any SQLExpression] {
        [
            SQLBind(job.id), SQLBind(job.pluginName), SQLBind(job.pluginVersion), SQLBind(job.status.rawValue),
            SQLBind(job.errorMessage), SQLBind(job.errorCode), SQLBind(job.ownerID), SQLBind(job.createdAt),
            SQLBind(job.updatedAt), SQLBind(job.startedAt), SQLBind(job.completedAt), SQLBind(job.attempts),
            SQLBind(job.maxAttempts), SQLBind(job.runAt), SQLBind(job.progress), SQLBind(job.deadLettered),
            SQLBind(job.cancelRequested), SQLBind(job.leaseOwner), SQLBind(job.leaseExpiresAt),
            SQLBind(JobRow.encodeHistory(job.history)), SQLBind(job.input.serializedString()),
            SQLBind(job.result?.serializedString()),
        ]
    }
}

extension DatabaseLocation {
    var isPostgres: Bool {
        if case .postgres = self { true } else { false }
    }
}
