import Foundation
import GantryCore
import GantryJSONSchema
import GantryPorts
import Logging
import Synchronization

/// This server's job workers. They claim due jobs from the queue with a lease, run each with the
/// executor, renew their leases while it runs, and write each outcome only while they still hold
/// the job. A housekeeping pass takes over jobs whose worker died (expired leases), fails jobs
/// queued past the TTL, and removes job containers that nothing runs.
public final class JobWorkerPool: Sendable {
    let store: any JobStore & PluginStore
    let executor: any JobExecutor
    let runtimes: any ContainerRuntimeDirectory
    let settings: JobSettings
    let schemas: JobSchemaCache
    let signal: JobQueueSignal
    let registry: JobRunRegistry
    let metrics: any JobQueueMetrics
    let clock: WallClock
    let logger: Logger
    /// Unique per process start, so a restarted server never mistakes a dead worker's lease for its own.
    public let workerID: String
    let outcomes: JobOutcomeWriter
    let plugins = PluginVersionCache()

    /// Progress is written at most this often per job.
    static let progressInterval = Duration.milliseconds(500)

    public init(
        store: any JobStore & PluginStore, executor: any JobExecutor, runtimes: any ContainerRuntimeDirectory,
        settings: JobSettings,
        schemas: JobSchemaCache, signal: JobQueueSignal, registry: JobRunRegistry,
        metrics: any JobQueueMetrics = NoopJobQueueMetrics(), clock: WallClock = .system, logger: Logger,
        workerID: String? = nil
    ) {
        self.clock = clock
        self.store = store
        self.executor = executor
        self.runtimes = runtimes
        self.settings = settings
        self.schemas = schemas
        self.signal = signal
        self.registry = registry
        self.metrics = metrics
        self.logger = logger
        self.workerID =
            workerID
            ?? "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8).lowercased())"
        self.outcomes = JobOutcomeWriter(store: store, worker: self.workerID, logger: logger)
    }

    /// Runs until the task is cancelled. On cancellation running attempts are stopped and their
    /// jobs handed back to the queue without using up an attempt.
    public func run() async {
        logger.info(
            "job workers started",
            metadata: ["worker": "\(workerID)", "concurrency": "\(settings.concurrency)", "node": "\(settings.node)"])
        await withTaskGroup(of: Void.self) { group in
            if settings.concurrency > 0 {
                group.addTask { await self.dispatchLoop() }
                group.addTask { await self.leaseLoop() }
            }
            group.addTask { await self.housekeepingLoop() }
        }
        logger.info("job workers stopped", metadata: ["worker": "\(workerID)"])
    }

    // MARK: Dispatch

    private func dispatchLoop() async {
        await withDiscardingTaskGroup { group in
            await withTaskCancellationHandler {
                while !Task.isCancelled {
                    let free = settings.concurrency - registry.count
                    var claimed: [Job] = []
                    if free > 0 {
                        do {
                            let now = clock.now
                            claimed = try await store.claimJobs(
                                worker: workerID, limit: free, now: now,
                                leaseUntil: now.addingTimeInterval(settings.lease.seconds))
                        } catch {
                            logger.error("claiming jobs failed", metadata: ["error": "\(error)"])
                        }
                    }
                    for job in claimed {
                        let control = JobRunControl()
                        registry.register(job.id, control)
                        group.addTask {
                            await self.process(job, control: control)
                            self.registry.unregister(job.id)
                            self.signal.signal()
                        }
                    }
                    // Full batch: there may be more due at once; otherwise wait for a new job, a free
                    // slot, or the poll (retries coming due).
                    if claimed.isEmpty || claimed.count < free {
                        await signal.wait(timeout: settings.pollInterval)
                    }
                }
            } onCancel: {
                // Every running attempt learns at once that it ends because the server stops, before
                // its own task sees the cancellation; the containers are stopped meanwhile.
                let handlers = registry.controls.flatMap { $0.markStopped(.shuttingDown) }
                Task {
                    await withTaskGroup(of: Void.self) { group in handlers.forEach { group.addTask(operation: $0) } }
                }
            }
        }
    }

    /// One attempt, from the plugin lookup to the outcome written.
    func process(_ job: Job, control: JobRunControl) async {
        let started = clock.now
        let attemptStart = job.startedAt.map { max($0, job.updatedAt) } ?? started
        var record = JobAttempt(attempt: job.attempts, startedAt: attemptStart)
        let outcome: Result<JSONValue, JobFailure>
        if let plugin = try? await plugins.plugin(name: job.pluginName, version: job.pluginVersion, store: store) {
            outcome = await attempt(job, plugin: plugin, control: control)
        } else {
            outcome = .failure(
                JobFailure(.pluginMissing, "plugin \(job.pluginName) \(job.pluginVersion) is no longer registered"))
        }
        let now = clock.now
        record.endedAt = now
        var event = JobEvent(jobID: job.id, kind: .status, status: .completed, attempt: job.attempts, at: now)
        let next: Job
        var retried = false
        // A cancelled task without a recorded reason is the server stopping, too.
        let stopReason = control.stopReason ?? (Task.isCancelled ? .shuttingDown : nil)
        switch (stopReason, outcome) {
        case (.leaseLost?, _):
            logger.warning("job lease lost; its new holder decides", metadata: ["job": "\(job.id)"])
            return
        case (.shuttingDown?, _):
            record.errorCode = "interrupted"
            record.error = "the server stopped during the attempt"
            next = JobAttemptJudgement.released(job, attempt: record, now: now)
            event.status = .queued
            event.message = "handed back to the queue: the server is stopping"
        case (.cancelled(let message)?, _):
            let failure = JobFailure(.cancelled, message)
            record.errorCode = failure.reason.rawValue
            record.error = failure.message
            next =
                JobAttemptJudgement.failed(job, failure: failure, attempt: record, policy: settings.retry, now: now).job
            event.status = .failed
            event.message = failure.description
        case (nil, .success(let result)):
            next = JobAttemptJudgement.completed(job, result: result, attempt: record, now: now)
            event.message = "completed"
        case (nil, .failure(let failure)):
            record.errorCode = failure.reason.rawValue
            record.error = failure.message
            record.exitCode = failure.exitCode
            let decided = JobAttemptJudgement.failed(
                job, failure: failure, attempt: record, policy: settings.retry, now: now)
            next = decided.job
            retried = decided.retried
            event.status = next.status
            event.message =
                retried
                ? "attempt \(job.attempts) failed (\(failure.reason.rawValue)); retry at \(next.runAt.formatted(.iso8601))"
                : failure.description
        }
        let written = await outcomes.write(JobOutcome(job: next, event: event))
        guard written else {
            logger.warning(
                "job outcome not written: the job was taken over or the database failed",
                metadata: ["job": "\(job.id)", "status": "\(next.status.rawValue)"])
            return
        }
        report(
            job: next, attemptOutcome: record.errorCode ?? "completed", seconds: now.timeIntervalSince(started),
            retried: retried)
    }

    private func attempt(_ job: Job, plugin: Plugin, control: JobRunControl) async -> Result<JSONValue, JobFailure> {
        let outputSchema: JSONSchema?
        do {
            outputSchema = try schemas.schema(.output, of: plugin)
        } catch {
            return .failure(JobFailure(.invalidOutput, error.detail))
        }
        let progress = ProgressWriter(
            store: store, jobID: job.id, worker: workerID, interval: Self.progressInterval, clock: clock,
            logger: logger)
        do {
            let output = try await executor.run(
                job, attempt: job.attempts, plugin: plugin, control: control, progress: { progress.report($0) })
            await progress.flush()
            let limits = settings.validationLimits
            // Parsing and checking up to maxOutputBytes of output is CPU work: off the request pool.
            return await CPUWork.run {
                JobAttemptJudgement.judge(output, plugin: plugin, outputSchema: outputSchema, limits: limits)
            }
        } catch {
            await progress.flush()
            return .failure(error)
        }
    }

    private func report(job: Job, attemptOutcome: String, seconds: Double, retried: Bool) {
        metrics.attemptFinished(plugin: job.pluginName, outcome: attemptOutcome, seconds: seconds)
        if retried { metrics.jobRetried(plugin: job.pluginName) }
        if job.status.isTerminal {
            metrics.jobFinished(
                plugin: job.pluginName, status: job.status,
                seconds: (job.completedAt ?? clock.now).timeIntervalSince(job.createdAt))
            if job.deadLettered { metrics.jobDeadLettered(plugin: job.pluginName) }
        }
        logger.info(
            "job attempt finished",
            metadata: [
                "job": "\(job.id)", "plugin": "\(job.pluginName)", "attempt": "\(job.attempts)",
                "outcome": "\(attemptOutcome)", "status": "\(job.status.rawValue)",
                "seconds": "\(String(format: "%.3f", seconds))",
            ])
    }

    // MARK: Leases

    /// Renews the leases of running attempts; stops those that were cancelled or taken over.
    private func leaseLoop() async {
        let interval = min(settings.lease / 3, .seconds(2))
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let ids = registry.jobIDs
            guard !ids.isEmpty else { continue }
            let until = clock.now.addingTimeInterval(settings.lease.seconds)
            let held: [JobLeaseStatus]
            do {
                held = try await store.renewLeases(worker: workerID, jobIDs: ids, until: until)
            } catch {
                logger.error("renewing job leases failed", metadata: ["error": "\(error)"])
                continue
            }
            let heldIDs = Set(held.map(\.jobID))
            for status in held where status.cancelRequested {
                await registry.stop(status.jobID, .cancelled("cancelled while running"))
            }
            for id in ids where !heldIDs.contains(id) {
                // Finished meanwhile, or taken over after a stall: only the latter is still registered.
                if registry.control(id) != nil, (try? await store.job(id: id))?.leaseOwner != workerID {
                    await registry.stop(id, .leaseLost)
                }
            }
        }
    }

    // MARK: Housekeeping

    private func housekeepingLoop() async {
        while !Task.isCancelled {
            await housekeep()
            try? await Task.sleep(for: settings.housekeepingInterval)
        }
    }

    /// One pass: recover dead workers' jobs, expire stale queued jobs, remove stray containers,
    /// refresh the gauges.
    public func housekeep() async {
        let now = clock.now
        do {
            for job in try await store.jobsWithExpiredLeases(now: now, limit: 100) {
                await recover(job, now: now)
            }
            let ttl = settings.queueTTL
            let expired = try await store.expireQueuedJobs(
                dueBefore: now.addingTimeInterval(-ttl.seconds),
                failure: JobFailure(.expired, "waited in the queue longer than \(Int(ttl.seconds)) s"), at: now)
            if !expired.isEmpty {
                logger.warning("queued jobs expired", metadata: ["count": "\(expired.count)"])
                for _ in expired { metrics.jobDeadLettered(plugin: "") }
            }
            metrics.updateCounts(try await store.countJobs(ownerID: nil, now: now))
        } catch {
            logger.error("job housekeeping failed", metadata: ["error": "\(error)"])
        }
    }

    /// A job whose worker stopped renewing its lease: its container goes, and the attempt counts
    /// as failed with `worker_lost` (retried like any retryable failure).
    func recover(_ job: Job, now: Date) async {
        guard let holder = job.leaseOwner else { return }
        await removeContainers(ofJob: job.id)
        let failure = JobFailure(.workerLost, "worker \(holder) stopped renewing its lease")
        let attempt = JobAttempt(
            attempt: job.attempts, startedAt: job.updatedAt, endedAt: now, errorCode: failure.reason.rawValue,
            error: failure.message)
        let decided = JobAttemptJudgement.failed(
            job, failure: failure, attempt: attempt, policy: settings.retry, now: now)
        let event = JobEvent(
            jobID: job.id, kind: .status, status: decided.job.status, attempt: job.attempts,
            message: decided.retried ? "\(failure.description); retrying" : failure.description, at: now)
        do {
            if try await store.finishAttempt(decided.job, worker: holder, leaseExpiredBefore: now, event: event) {
                logger.warning(
                    "job taken over from a lost worker",
                    metadata: ["job": "\(job.id)", "worker": "\(holder)", "status": "\(decided.job.status.rawValue)"])
                report(job: decided.job, attemptOutcome: failure.reason.rawValue, seconds: 0, retried: decided.retried)
                if decided.retried { signal.signal() }
            }
        } catch {
            logger.error("recovering a job failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    private func removeContainers(ofJob id: UUID) async {
        guard let runtime = runtimes.runtime(forNode: settings.node) else { return }
        let labels = [ContainerLabels.kind: "job", ContainerLabels.id: id.uuidString]
        for container in (try? await runtime.listContainers(labels: labels)) ?? [] {
            try? await runtime.removeContainer(id: container.id)
        }
    }
}

/// Writes a job's progress at most once per interval, and the last value on `flush`.
final class ProgressWriter: Sendable {
    private struct State {
        var latest: Double?
        var written: Double?
        var lastWrite: ContinuousClock.Instant?
        var writing = false
    }

    private let store: any JobStore & PluginStore
    private let jobID: UUID
    private let worker: String
    private let interval: Duration
    private let clock: WallClock
    private let logger: Logger
    private let state = Mutex(State())

    init(
        store: any JobStore & PluginStore, jobID: UUID, worker: String, interval: Duration, clock: WallClock,
        logger: Logger
    ) {
        self.clock = clock
        self.store = store
        self.jobID = jobID
        self.worker = worker
        self.interval = interval
        self.logger = logger
    }

    func report(_ value: Double) {
        let now = ContinuousClock.now
        let due = state.withLock { state -> Bool in
            state.latest = value
            guard !state.writing else { return false }
            if let last = state.lastWrite, now - last < interval { return false }
            state.writing = true
            state.lastWrite = now
            return true
        }
        if due { Task { await self.write() } }
    }

    func flush() async {
        let pending = state.withLock { $0.latest != $0.written && !$0.writing }
        if pending { await write() }
    }

    private func write() async {
        guard let value = state.withLock({ $0.latest }) else { return }
        do {
            try await store.recordProgress(jobID: jobID, worker: worker, progress: value, at: clock.now)
        } catch {
            logger.warning("recording job progress failed", metadata: ["job": "\(jobID)", "error": "\(error)"])
        }
        state.withLock {
            $0.written = value
            $0.writing = false
        }
    }
}
