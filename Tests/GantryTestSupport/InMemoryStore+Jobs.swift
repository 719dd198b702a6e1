import Foundation
import GantryCore
import GantryPorts
import Synchronization

extension InMemoryStore {
    // MARK: Plugins

    public func createPlugin(_ plugin: Plugin) async throws {
        try state.withLock { state in
            guard !state.plugins.contains(where: { $0.plugin.name == plugin.name }) else {
                throw StoreError.duplicate(field: "name")
            }
            state.plugins.append(StoredPlugin(plugin: plugin, isCurrent: true))
        }
    }

    public func publishPluginVersion(_ plugin: Plugin) async throws {
        try state.withLock { state in
            let versions = state.plugins.filter { $0.plugin.name == plugin.name }.map(\.plugin.version)
            guard !versions.isEmpty else { throw StoreError.notFound }
            guard !versions.contains(plugin.version) else { throw StoreError.duplicate(field: "version") }
            for index in state.plugins.indices where state.plugins[index].plugin.name == plugin.name {
                state.plugins[index].isCurrent = false
            }
            state.plugins.append(StoredPlugin(plugin: plugin, isCurrent: true))
        }
    }

    public func plugin(name: String) async throws -> Plugin? {
        state.withLock { state in state.plugins.first { $0.plugin.name == name && $0.isCurrent }?.plugin }
    }

    public func plugin(name: String, version: String) async throws -> Plugin? {
        state.withLock { state in
            state.plugins.first { $0.plugin.name == name && $0.plugin.version == version }?.plugin
        }
    }

    /// Current versions by name. `nameContaining` matches case-insensitively, as SQLite's `LIKE`
    /// does for ASCII (PostgreSQL's `LIKE` would not).
    public func listPlugins(nameContaining text: String?, skip: Int, limit: Int) async throws -> Page<Plugin> {
        state.withLock { state in
            let matching = state.plugins.filter(\.isCurrent).map(\.plugin)
                .filter { plugin in
                    guard let text, !text.isEmpty else { return true }
                    return plugin.name.lowercased().contains(text.lowercased())
                }
                .sorted { $0.name < $1.name }
            return Self.page(matching, skip: skip, limit: limit)
        }
    }

    /// Removes every version and fails (dead-letters) the plugin's queued jobs, in one step.
    public func deletePlugin(name: String, failingQueuedJobsWith failure: JobFailure, at now: Date) async throws -> Bool
    {
        state.withLock { state in
            let before = state.plugins.count
            state.plugins.removeAll { $0.plugin.name == name }
            guard state.plugins.count < before else { return false }
            state.failQueuedJobs(where: { $0.pluginName == name }, failure: failure, deadLetter: true, at: now)
            return true
        }
    }

    // MARK: Jobs

    /// The rate limit (the owner's jobs created within the window before the job's `createdAt`)
    /// and the queue depth are checked in the same step as the insert, as FluentStore's transaction
    /// does; the job goes in with a `queued` event. A job id taken throws
    /// `StoreError.duplicate(field: "id")`.
    public func enqueueJob(_ job: Job, admission: JobAdmission) async throws {
        try state.withLock { state in
            if let limit = admission.rateLimit {
                let window = admission.rateWindow.seconds
                let windowStart = job.createdAt.addingTimeInterval(-window)
                let recent = state.jobs.values.filter { $0.ownerID == job.ownerID && $0.createdAt > windowStart }
                    .map(\.createdAt).sorted().prefix(limit)
                if recent.count >= limit, let oldest = recent.first {
                    let wait = oldest.addingTimeInterval(window).timeIntervalSince(job.createdAt)
                    throw JobAdmissionError.rateLimited(
                        limit: limit, retryAfter: .milliseconds(Int64(max(wait, 0.001) * 1000)))
                }
            }
            if admission.checksQueueDepth, state.queuedCount(upTo: admission.maxQueued) >= admission.maxQueued {
                throw JobAdmissionError.queueFull(maxQueued: admission.maxQueued)
            }
            guard state.jobs[job.id] == nil else { throw StoreError.duplicate(field: "id") }
            state.jobs[job.id] = job
            state.appendEvents([
                JobEvent(
                    jobID: job.id, kind: .status, status: .queued, attempt: 0, message: "queued", at: job.createdAt)
            ])
        }
    }

    public func job(id: UUID) async throws -> Job? { state.withLock { $0.jobs[id] } }

    public func countQueuedJobs(upTo limit: Int) async throws -> Int {
        state.withLock { $0.queuedCount(upTo: limit) }
    }

    /// Newest first, then by id (as its string: the databases order UUIDs their own way). Without
    /// `withPayloads` the input reads as null and the result as nil, as FluentStore's summary rows do.
    public func listJobs(_ filter: JobFilter, skip: Int, limit: Int, withPayloads: Bool) async throws -> Page<Job> {
        state.withLock { state in
            let matching = state.jobs.values
                .filter { job in
                    (filter.ownerID == nil || job.ownerID == filter.ownerID)
                        && (filter.status == nil || job.status == filter.status)
                        && (filter.pluginName == nil || job.pluginName == filter.pluginName)
                        && (!filter.deadLetteredOnly || job.deadLettered)
                }
                .sorted { ($1.createdAt, $0.id.uuidString) < ($0.createdAt, $1.id.uuidString) }
                .map { job in
                    guard !withPayloads else { return job }
                    var summary = job
                    summary.input = .null
                    summary.result = nil
                    return summary
                }
            return Self.page(matching, skip: skip, limit: limit)
        }
    }

    public func countJobs(ownerID: UUID?, now: Date) async throws -> JobCounts {
        state.withLock { state in
            let jobs = state.jobs.values.filter { ownerID == nil || $0.ownerID == ownerID }
            var byStatus = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0, 0) })
            for job in jobs { byStatus[job.status, default: 0] += 1 }
            return JobCounts(
                byStatus: byStatus, deadLettered: jobs.filter(\.deadLettered).count,
                due: jobs.filter { $0.status == .queued && $0.runAt <= now }.count)
        }
    }

    /// Up to `limit` queued jobs due by `now`, oldest `runAt` first (then creation, then id), move
    /// to `processing` for `worker` with `attempts + 1`, the lease, `startedAt` kept from an
    /// earlier attempt, progress cleared and a `processing` event each.
    public func claimJobs(worker: String, limit: Int, now: Date, leaseUntil: Date) async throws -> [Job] {
        guard limit > 0 else { return [] }
        return state.withLock { state in
            let due = state.jobs.values.filter { $0.status == .queued && $0.runAt <= now }
                .sorted {
                    ($0.runAt, $0.createdAt, $0.id.uuidString) < ($1.runAt, $1.createdAt, $1.id.uuidString)
                }
                .prefix(limit)
            var claimed: [Job] = []
            for var job in due {
                job.status = .processing
                job.leaseOwner = worker
                job.leaseExpiresAt = leaseUntil
                job.attempts += 1
                job.startedAt = job.startedAt ?? now
                job.updatedAt = now
                job.progress = nil
                state.jobs[job.id] = job
                claimed.append(job)
            }
            state.appendEvents(
                claimed.map {
                    JobEvent(
                        jobID: $0.id, kind: .status, status: .processing, attempt: $0.attempts,
                        message: "attempt started by \(worker)", at: now)
                })
            return claimed
        }
    }

    /// The leases `worker` still holds among `jobIDs` (in their order) move to `until`.
    public func renewLeases(worker: String, jobIDs: [UUID], until: Date) async throws -> [JobLeaseStatus] {
        state.withLock { state in
            var renewed: [JobLeaseStatus] = []
            for id in jobIDs {
                guard var job = state.jobs[id], job.status == .processing, job.leaseOwner == worker else { continue }
                job.leaseExpiresAt = until
                state.jobs[id] = job
                renewed.append(JobLeaseStatus(jobID: id, cancelRequested: job.cancelRequested))
            }
            return renewed
        }
    }

    public func recordProgress(jobID: UUID, worker: String, progress: Double, at now: Date) async throws {
        state.withLock { state in
            guard var job = state.jobs[jobID], job.status == .processing, job.leaseOwner == worker else { return }
            job.progress = progress
            job.updatedAt = now
            state.jobs[jobID] = job
            state.appendEvents([
                JobEvent(
                    jobID: jobID, kind: .progress, status: .processing, attempt: job.attempts, progress: progress,
                    at: now)
            ])
        }
    }

    /// Writes the outcome only while `worker` holds the job (and, with `leaseExpiredBefore`, only
    /// when its lease ran out before then), with its event.
    public func finishAttempt(
        _ job: Job, worker: String, leaseExpiredBefore: Date?, event: JobEvent
    ) async throws
        -> Bool
    {
        state.withLock { state in
            guard state.writeOutcome(job, worker: worker, leaseExpiredBefore: leaseExpiredBefore) else {
                return false
            }
            state.appendEvents([event])
            return true
        }
    }

    public func finishAttempts(_ outcomes: [JobOutcome], worker: String) async throws -> Set<UUID> {
        state.withLock { state in
            var written: Set<UUID> = []
            for outcome in outcomes where state.writeOutcome(outcome.job, worker: worker, leaseExpiredBefore: nil) {
                written.insert(outcome.job.id)
            }
            state.appendEvents(outcomes.filter { written.contains($0.job.id) }.map(\.event))
            return written
        }
    }

    /// Processing jobs whose lease ran out before `now`, the longest expired first.
    public func jobsWithExpiredLeases(now: Date, limit: Int) async throws -> [Job] {
        state.withLock { state in
            let expired = state.jobs.values.compactMap { job -> (Date, Job)? in
                guard job.status == .processing, let until = job.leaseExpiresAt, until < now else { return nil }
                return (until, job)
            }
            return Array(expired.sorted { $0.0 < $1.0 }.prefix(max(limit, 0)).map { $0.1 })
        }
    }

    public func expireQueuedJobs(dueBefore: Date, failure: JobFailure, at now: Date) async throws -> [UUID] {
        state.withLock { state in
            state.failQueuedJobs(where: { $0.runAt < dueBefore }, failure: failure, deadLetter: true, at: now)
        }
    }

    /// A queued job fails at once (not dead-lettered); a processing one is flagged.
    public func cancelJob(id: UUID, failure: JobFailure, at now: Date) async throws -> Job? {
        state.withLock { state in
            let failed = state.failQueuedJobs(where: { $0.id == id }, failure: failure, deadLetter: false, at: now)
            if failed.isEmpty, var job = state.jobs[id], job.status == .processing {
                job.cancelRequested = true
                job.updatedAt = now
                state.jobs[id] = job
            }
            return state.jobs[id]
        }
    }

    public func requeueJob(id: UUID, maxAttempts: Int, at now: Date) async throws -> Job? {
        state.withLock { state in
            guard var job = state.jobs[id], job.status == .failed, job.deadLettered else { return nil }
            job.status = .queued
            job.deadLettered = false
            job.attempts = 0
            job.maxAttempts = maxAttempts
            job.runAt = now
            job.errorMessage = nil
            job.errorCode = nil
            job.completedAt = nil
            job.result = nil
            job.progress = nil
            job.cancelRequested = false
            job.updatedAt = now
            state.jobs[id] = job
            state.appendEvents([
                JobEvent(
                    jobID: id, kind: .status, status: .queued, attempt: 0, message: "requeued from the dead letters",
                    at: now)
            ])
            return job
        }
    }

    public func jobEvents(jobID: UUID, after sequence: Int64) async throws -> [JobEvent] {
        state.withLock { state in state.jobEvents.filter { $0.jobID == jobID && $0.sequence > sequence } }
    }
}

extension InMemoryStore.State {
    func queuedCount(upTo limit: Int) -> Int {
        min(jobs.values.filter { $0.status == .queued }.count, max(limit, 0))
    }

    /// Numbers the events in order, as the `sequence` column does.
    mutating func appendEvents(_ events: [JobEvent]) {
        for var event in events {
            event.sequence = nextEventSequence
            nextEventSequence += 1
            jobEvents.append(event)
        }
    }

    /// FluentStore's `writeOutcome`: the columns an outcome sets, lease cleared, only while
    /// `worker` holds the processing job. Input, owner, `startedAt`, `maxAttempts` and
    /// `cancelRequested` stay as stored.
    mutating func writeOutcome(_ outcome: Job, worker: String, leaseExpiredBefore: Date?) -> Bool {
        guard var job = jobs[outcome.id], job.status == .processing, job.leaseOwner == worker else { return false }
        if let leaseExpiredBefore {
            guard let until = job.leaseExpiresAt, until < leaseExpiredBefore else { return false }
        }
        job.status = outcome.status
        job.result = outcome.result
        job.errorMessage = outcome.errorMessage
        job.errorCode = outcome.errorCode
        job.completedAt = outcome.completedAt
        job.runAt = outcome.runAt
        job.progress = outcome.progress
        job.deadLettered = outcome.deadLettered
        job.attempts = outcome.attempts
        job.leaseOwner = nil
        job.leaseExpiresAt = nil
        job.history = outcome.history
        job.updatedAt = outcome.updatedAt
        jobs[outcome.id] = job
        return true
    }

    /// Fails the queued jobs `matching` says, with an event each; returns their ids.
    @discardableResult
    mutating func failQueuedJobs(
        where matching: (Job) -> Bool, failure: JobFailure, deadLetter: Bool, at now: Date
    ) -> [UUID] {
        let ids = jobs.values.filter { $0.status == .queued && matching($0) }
            .sorted { ($0.runAt, $0.id.uuidString) < ($1.runAt, $1.id.uuidString) }.map(\.id)
        var events: [JobEvent] = []
        for id in ids {
            guard var job = jobs[id] else { continue }
            job.status = .failed
            job.errorCode = failure.reason.rawValue
            job.errorMessage = failure.message
            job.deadLettered = deadLetter
            job.completedAt = now
            job.updatedAt = now
            jobs[id] = job
            events.append(
                JobEvent(
                    jobID: id, kind: .status, status: .failed, attempt: job.attempts, message: failure.description,
                    at: now))
        }
        appendEvents(events)
        return ids
    }
}
