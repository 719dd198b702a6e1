import Foundation
import GantryCore

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
