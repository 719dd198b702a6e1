import Foundation
import GantryCore
import GantryJSONSchema
import GantryPorts
import Logging

/// Jobs (seed 003): submit against a plugin's input schema, read, cancel, requeue dead letters,
/// and follow a job's events. Workers (`JobWorkerPool`) run them.
public struct JobService: Sendable {
    let store: any JobStore & PluginStore & UserStore
    let settings: JobSettings
    let schemas: JobSchemaCache
    let signal: JobQueueSignal
    let runs: JobRunRegistry
    let queueDepth = QueueDepthEstimate()
    let metrics: any JobQueueMetrics
    let clock: WallClock
    let logger: Logger

    public init(
        store: any JobStore & PluginStore & UserStore, settings: JobSettings, schemas: JobSchemaCache,
        signal: JobQueueSignal,
        runs: JobRunRegistry, metrics: any JobQueueMetrics = NoopJobQueueMetrics(), clock: WallClock = .system,
        logger: Logger
    ) {
        self.clock = clock
        self.runs = runs
        self.store = store
        self.settings = settings
        self.schemas = schemas
        self.signal = signal
        self.metrics = metrics
        self.logger = logger
    }

    // MARK: Submit

    /// Validates `input` against the plugin's current input schema and queues the job.
    /// `inputBytes` is the size the input had on the wire, when the edge knows it.
    public func submit(
        pluginName: String, input: JSONValue, inputBytes: Int? = nil, by caller: Principal
    ) async throws -> Job {
        let size = inputBytes ?? input.serialized().count
        guard size <= settings.maxInputBytes else {
            throw GantryError(
                .payloadTooLarge, code: "input_too_large",
                detail: "input_data is \(size) bytes; the limit is \(settings.maxInputBytes)")
        }
        guard let plugin = try await store.plugin(name: pluginName) else {
            throw GantryError(.notFound, code: "plugin_not_found", detail: "no plugin named '\(pluginName)'")
        }
        if let schema = try schemas.schema(.input, of: plugin) {
            let limits = settings.validationLimits
            let checked = await CPUWork.run {
                Result { () throws(JSONSchemaLimitExceeded) in
                    try schema.validate(input, limits: limits)
                }
            }
            let violations: [JSONSchemaViolation]
            switch checked {
            case .success(let found): violations = found
            case .failure(let exceeded):
                logger.notice(
                    "job input too expensive to check",
                    metadata: ["plugin": "\(plugin.name)", "user": "\(caller.user.username)", "limit": "\(exceeded)"])
                throw GantryError(
                    .invalidInput, code: "input_too_complex",
                    detail: "input_data could not be checked against the input schema of \(plugin.name) "
                        + "\(plugin.version): \(exceeded)")
            }
            if let first = violations.first {
                throw GantryError(
                    .invalidInput, code: "input_invalid",
                    detail: "input_data does not match the input schema of \(plugin.name) \(plugin.version): "
                        + Self.describe(violations, first: first))
            }
        }
        let now = clock.now
        let job = Job(
            pluginName: plugin.name, pluginVersion: plugin.version, input: input, ownerID: caller.id, createdAt: now,
            maxAttempts: settings.retry.maxAttempts)
        var admission = settings.admission
        admission.checksQueueDepth = try await queueDepth.mayBeNearFull(maxQueued: settings.maxQueued, store: store)
        do {
            try await store.enqueueJob(job, admission: admission)
        } catch JobAdmissionError.rateLimited(let limit, let retryAfter) {
            throw GantryError(
                .rateLimited, code: "rate_limited",
                detail: "at most \(limit) jobs per minute may be created; try again in \(Self.seconds(retryAfter)) s",
                retryAfterSeconds: Self.seconds(retryAfter))
        } catch JobAdmissionError.queueFull(let maxQueued) {
            throw GantryError(
                .unavailable, code: "queue_full",
                detail: "the job queue is full (\(maxQueued) jobs waiting); try again later", retryAfterSeconds: 5)
        }
        queueDepth.added()
        metrics.jobQueued(plugin: plugin.name)
        signal.signal()
        logger.debug(
            "job queued", metadata: ["job": "\(job.id)", "plugin": "\(plugin.name)", "user": "\(caller.user.username)"])
        return job
    }

    static func describe(_ violations: [JSONSchemaViolation], first: JSONSchemaViolation) -> String {
        let more = violations.count > 1 ? " (and \(violations.count - 1) more)" : ""
        return "\(first)\(more)"
    }

    private static func seconds(_ duration: Duration) -> Int {
        max(1, Int(duration.seconds.rounded(.up)))
    }

    // MARK: Read

    /// 404 when there is no such job, 403 when it is another user's (seed 003).
    public func job(id: UUID, by caller: Principal) async throws -> Job {
        guard let job = try await store.job(id: id) else { throw GantryError.notFound("job") }
        guard caller.canAccess(ownerID: job.ownerID) else {
            throw GantryError.forbidden("job \(id) belongs to another user")
        }
        return job
    }

    public func list(
        by caller: Principal, status: JobStatus? = nil, pluginName: String? = nil, user: String? = nil, skip: Int,
        limit: Int
    ) async throws -> Page<Job> {
        let window = try PageWindow(skip: skip, limit: limit)
        var owner: UUID? = caller.isAdmin ? nil : caller.id
        if let user, !user.isEmpty {
            guard let found = try await store.user(reference: user), caller.canAccess(ownerID: found.id) else {
                return Page(total: 0, items: [])
            }
            owner = found.id
        }
        let filter = JobFilter(ownerID: owner, status: status, pluginName: pluginName)
        return try await store.listJobs(filter, skip: window.skip, limit: window.limit, withPayloads: false)
    }

    public func deadLetters(
        by caller: Principal, pluginName: String? = nil, skip: Int, limit: Int
    ) async throws
        -> Page<Job>
    {
        try caller.requireAdmin()
        let window = try PageWindow(skip: skip, limit: limit)
        let filter = JobFilter(pluginName: pluginName, deadLetteredOnly: true)
        return try await store.listJobs(filter, skip: window.skip, limit: window.limit, withPayloads: false)
    }

    public func counts(by caller: Principal) async throws -> JobCounts {
        try await store.countJobs(ownerID: caller.isAdmin ? nil : caller.id, now: clock.now)
    }

    /// Events after `sequence`, for the events stream; checks access like `job(id:by:)`.
    public func events(jobID: UUID, after sequence: Int64) async throws -> [JobEvent] {
        try await store.jobEvents(jobID: jobID, after: sequence)
    }

    // MARK: Change

    /// A queued job fails at once; a running one is stopped by its worker within a lease renewal.
    public func cancel(id: UUID, by caller: Principal) async throws -> Job {
        let job = try await job(id: id, by: caller)
        guard !job.status.isTerminal else {
            throw GantryError.invalidState("job \(id) has already \(job.status.rawValue)")
        }
        let failure = JobFailure(.cancelled, "cancelled by \(caller.user.username)")
        guard let updated = try await store.cancelJob(id: id, failure: failure, at: clock.now) else {
            throw GantryError.notFound("job")
        }
        if updated.status == .processing {
            // Stopped here at once when this server runs it; otherwise at its worker's next renewal.
            await runs.stop(id, .cancelled(failure.message))
        }
        logger.info(
            "job cancel requested",
            metadata: ["job": "\(id)", "status": "\(updated.status.rawValue)", "by": "\(caller.user.username)"])
        return updated
    }

    /// Puts a dead-lettered job back in the queue with a fresh set of attempts (admins).
    public func requeue(id: UUID, by caller: Principal) async throws -> Job {
        try caller.requireAdmin()
        guard let existing = try await store.job(id: id) else { throw GantryError.notFound("job") }
        guard existing.deadLettered else {
            throw GantryError.invalidState("job \(id) is \(existing.status.rawValue), not dead-lettered")
        }
        guard let job = try await store.requeueJob(id: id, maxAttempts: settings.retry.maxAttempts, at: clock.now)
        else {
            throw GantryError.invalidState("job \(id) is no longer dead-lettered")
        }
        signal.signal()
        logger.info("job requeued", metadata: ["job": "\(id)", "by": "\(caller.user.username)"])
        return job
    }
}
