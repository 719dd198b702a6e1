import Foundation
import GantryCore

public protocol PluginStore: Sendable {
    /// Stores the first version of a plugin. Throws `StoreError.duplicate(field: "name")`.
    func createPlugin(_ plugin: Plugin) async throws
    /// Makes `plugin` the current version of an existing plugin. Throws `StoreError.notFound`
    /// when no plugin has that name, `StoreError.duplicate(field: "version")` when the version exists.
    func publishPluginVersion(_ plugin: Plugin) async throws
    /// The current version.
    func plugin(name: String) async throws -> Plugin?
    /// A version that jobs were submitted against, current or not.
    func plugin(name: String, version: String) async throws -> Plugin?
    func listPlugins(nameContaining: String?, skip: Int, limit: Int) async throws -> Page<Plugin>
    /// Removes every version; queued jobs of the plugin fail with `failure` in the same transaction.
    /// Returns false when no plugin has that name.
    func deletePlugin(name: String, failingQueuedJobsWith failure: JobFailure, at now: Date) async throws -> Bool
}

/// Limits checked in the same transaction that queues a job.
public struct JobAdmission: Sendable, Equatable {
    /// Most jobs one user may create per `rateWindow`; nil for no limit.
    public var rateLimit: Int?
    public var rateWindow: Duration
    /// Most jobs waiting in the queue.
    public var maxQueued: Int
    /// Count the queue exactly in the transaction; skipped while it is known to be far from full.
    public var checksQueueDepth: Bool

    public init(rateLimit: Int?, rateWindow: Duration = .seconds(60), maxQueued: Int, checksQueueDepth: Bool = true) {
        self.rateLimit = rateLimit
        self.rateWindow = rateWindow
        self.maxQueued = maxQueued
        self.checksQueueDepth = checksQueueDepth
    }
}

public enum JobAdmissionError: Error, Sendable, Equatable {
    /// The owner has created `limit` jobs within the window; the oldest leaves it after `retryAfter`.
    case rateLimited(limit: Int, retryAfter: Duration)
    case queueFull(maxQueued: Int)
}

public struct JobFilter: Sendable, Equatable {
    public var ownerID: UUID?
    public var status: JobStatus?
    public var pluginName: String?
    /// Only dead-lettered jobs.
    public var deadLetteredOnly: Bool

    public init(
        ownerID: UUID? = nil, status: JobStatus? = nil, pluginName: String? = nil, deadLetteredOnly: Bool = false
    ) {
        self.ownerID = ownerID
        self.status = status
        self.pluginName = pluginName
        self.deadLetteredOnly = deadLetteredOnly
    }
}

public struct JobCounts: Sendable, Equatable {
    public var byStatus: [JobStatus: Int]
    public var deadLettered: Int
    /// Queued jobs whose `run_at` has come.
    public var due: Int

    public init(byStatus: [JobStatus: Int], deadLettered: Int, due: Int) {
        self.byStatus = byStatus
        self.deadLettered = deadLettered
        self.due = due
    }
}

/// An attempt's outcome to write: the job in its new state and the event that says so.
public struct JobOutcome: Sendable, Equatable {
    public var job: Job
    public var event: JobEvent

    public init(job: Job, event: JobEvent) {
        self.job = job
        self.event = event
    }
}

/// What a worker holds: a claimed job's lease, and whether someone asked to cancel it.
public struct JobLeaseStatus: Sendable, Equatable {
    public var jobID: UUID
    public var cancelRequested: Bool

    public init(jobID: UUID, cancelRequested: Bool) {
        self.jobID = jobID
        self.cancelRequested = cancelRequested
    }
}

/// The jobs table is the queue: every write here is one transaction, and a worker changes a job
/// only while it holds the job's lease.
public protocol JobStore: Sendable {
    /// Inserts a queued job with its first event, after checking `admission` in the same
    /// transaction. Throws `JobAdmissionError`.
    func enqueueJob(_ job: Job, admission: JobAdmission) async throws
    func job(id: UUID) async throws -> Job?
    /// Queued jobs, counted up to `limit`.
    func countQueuedJobs(upTo limit: Int) async throws -> Int
    /// Newest first. Items omit input and result unless `withPayloads`.
    func listJobs(_ filter: JobFilter, skip: Int, limit: Int, withPayloads: Bool) async throws -> Page<Job>
    func countJobs(ownerID: UUID?, now: Date) async throws -> JobCounts
    /// Atomically moves up to `limit` due queued jobs (oldest `run_at` first) to `processing`
    /// for `worker`, with a lease until `leaseUntil`, `attempts + 1` and a `processing` event.
    func claimJobs(worker: String, limit: Int, now: Date, leaseUntil: Date) async throws -> [Job]
    /// Extends the leases `worker` still holds among `jobIDs`; jobs it lost are left out.
    func renewLeases(worker: String, jobIDs: [UUID], until: Date) async throws -> [JobLeaseStatus]
    /// Stores progress (and a progress event) while `worker` holds the job.
    func recordProgress(jobID: UUID, worker: String, progress: Double, at: Date) async throws
    /// Writes the outcome of an attempt (`job` carries the new status, result or error, history,
    /// `runAt` for a retry) with `event`, only if `worker` still holds the job — and, with
    /// `leaseExpiredBefore`, only if that lease ran out before then. False when it did not.
    func finishAttempt(_ job: Job, worker: String, leaseExpiredBefore: Date?, event: JobEvent) async throws -> Bool
    /// `finishAttempt` for several jobs `worker` holds, in one transaction (one commit for many
    /// outcomes is what lets the queue keep up). Returns the ids it wrote.
    func finishAttempts(_ outcomes: [JobOutcome], worker: String) async throws -> Set<UUID>
    /// Processing jobs whose lease ran out before `now` (their worker is gone).
    func jobsWithExpiredLeases(now: Date, limit: Int) async throws -> [Job]
    /// Fails with `failure` (and dead-letters) queued jobs that have been due since before `dueBefore`.
    func expireQueuedJobs(dueBefore: Date, failure: JobFailure, at now: Date) async throws -> [UUID]
    /// A queued job fails at once with `failure`; a processing one is flagged for its worker to
    /// stop. Returns the job as it is now; nil when there is no such job.
    func cancelJob(id: UUID, failure: JobFailure, at now: Date) async throws -> Job?
    /// Puts a dead-lettered job back in the queue with `maxAttempts` fresh attempts; nil when the
    /// job is not dead-lettered (or does not exist).
    func requeueJob(id: UUID, maxAttempts: Int, at now: Date) async throws -> Job?
    /// Events of a job in order, after `sequence`.
    func jobEvents(jobID: UUID, after sequence: Int64) async throws -> [JobEvent]
}
