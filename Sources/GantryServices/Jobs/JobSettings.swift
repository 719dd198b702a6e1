import Foundation
import GantryCore
import GantryJSONSchema
import GantryPorts

/// How the job queue and its workers behave (`GANTRY_JOB_*`, `GANTRY_RATE_LIMIT_JOBS_PER_MINUTE`).
public struct JobSettings: Sendable, Equatable {
    /// Jobs run at once by this server's workers; 0 runs none (an API-only replica).
    public var concurrency: Int
    public var retry: JobRetryPolicy
    /// A job due this long without being claimed fails as expired (seed 003's message TTL).
    public var queueTTL: Duration
    public var maxQueued: Int
    /// Job creations per user per minute; nil for no limit.
    public var rateLimitPerMinute: Int?
    public var maxInputBytes: Int
    /// How long a claim holds a job before another worker may take it over; renewed at a third.
    public var lease: Duration
    /// How often idle workers look for due jobs when nothing woke them (retries come due).
    public var pollInterval: Duration
    /// How often expired leases and expired queued jobs are looked for.
    public var housekeepingInterval: Duration
    /// The node whose engine runs this server's jobs.
    public var node: String
    /// Labels every job container carries (installation id), so orphans can be found.
    public var installation: String
    public var defaultResources: Plugin.Resources
    public var defaultTimeoutSeconds: Int
    public var maxTimeoutSeconds: Int
    /// The uid:gid job containers run as.
    public var containerUser: String
    public var pidsLimit: Int
    public var tmpfsSizeMB: Int
    /// The most stdout kept from one attempt; more fails it as invalid output.
    public var maxOutputBytes: Int
    /// Work and time one check of an input or a result against its schema may take.
    public var validationLimits = JSONSchemaLimits.standard

    public init(
        concurrency: Int, retry: JobRetryPolicy = JobRetryPolicy(), queueTTL: Duration = .seconds(3600),
        maxQueued: Int = 10_000, rateLimitPerMinute: Int? = 10, maxInputBytes: Int = 1_048_576,
        lease: Duration = .seconds(30), pollInterval: Duration = .seconds(1),
        housekeepingInterval: Duration = .seconds(5),
        node: String, installation: String,
        defaultResources: Plugin.Resources = Plugin.Resources(cpu: 1, memoryMB: 512, gpus: 0),
        defaultTimeoutSeconds: Int = 600, maxTimeoutSeconds: Int = 86_400, containerUser: String = "65534:65534",
        pidsLimit: Int = 256, tmpfsSizeMB: Int = 64, maxOutputBytes: Int = 16 * 1_048_576
    ) {
        self.concurrency = concurrency
        self.retry = retry
        self.queueTTL = queueTTL
        self.maxQueued = maxQueued
        self.rateLimitPerMinute = rateLimitPerMinute
        self.maxInputBytes = maxInputBytes
        self.lease = lease
        self.pollInterval = pollInterval
        self.housekeepingInterval = housekeepingInterval
        self.node = node
        self.installation = installation
        self.defaultResources = defaultResources
        self.defaultTimeoutSeconds = defaultTimeoutSeconds
        self.maxTimeoutSeconds = maxTimeoutSeconds
        self.containerUser = containerUser
        self.pidsLimit = pidsLimit
        self.tmpfsSizeMB = tmpfsSizeMB
        self.maxOutputBytes = maxOutputBytes
    }

    public var admission: JobAdmission {
        JobAdmission(rateLimit: rateLimitPerMinute, rateWindow: .seconds(60), maxQueued: maxQueued)
    }
}
