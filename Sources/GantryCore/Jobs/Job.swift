import Foundation

/// Seed 003's job states. A retryable failure returns a job to `queued` with a later `runAt`.
public enum JobStatus: String, Sendable, Equatable, CaseIterable {
    case queued
    case processing
    case completed
    case failed

    public var isTerminal: Bool { self == .completed || self == .failed }
}

/// One run of a job's container, kept for every attempt so a dead letter shows its whole story.
public struct JobAttempt: Sendable, Equatable, Codable {
    public var attempt: Int
    public var startedAt: Date
    public var endedAt: Date?
    public var errorCode: String?
    public var error: String?
    public var exitCode: Int?

    public init(
        attempt: Int, startedAt: Date, endedAt: Date? = nil, errorCode: String? = nil, error: String? = nil,
        exitCode: Int? = nil
    ) {
        self.attempt = attempt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.errorCode = errorCode
        self.error = error
        self.exitCode = exitCode
    }
}

/// A job: one plugin run for one user. The jobs table is the queue (DESIGN.md).
public struct Job: Sendable, Equatable {
    public var id: UUID
    public var pluginName: String
    public var pluginVersion: String
    public var status: JobStatus
    public var input: JSONValue
    public var result: JSONValue?
    public var errorMessage: String?
    public var errorCode: String?
    public var ownerID: UUID
    public var createdAt: Date
    public var updatedAt: Date
    public var startedAt: Date?
    public var completedAt: Date?
    /// Attempts started so far.
    public var attempts: Int
    public var maxAttempts: Int
    /// When a queued job may be claimed (later than `createdAt` after a retry's backoff).
    public var runAt: Date
    public var progress: Double?
    public var deadLettered: Bool
    public var cancelRequested: Bool
    /// The worker holding the job while it is processing, and until when.
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var history: [JobAttempt]

    public init(
        id: UUID = UUID(), pluginName: String, pluginVersion: String, status: JobStatus = .queued, input: JSONValue,
        result: JSONValue? = nil, errorMessage: String? = nil, errorCode: String? = nil, ownerID: UUID, createdAt: Date,
        updatedAt: Date? = nil, startedAt: Date? = nil, completedAt: Date? = nil, attempts: Int = 0, maxAttempts: Int,
        runAt: Date? = nil, progress: Double? = nil, deadLettered: Bool = false, cancelRequested: Bool = false,
        leaseOwner: String? = nil, leaseExpiresAt: Date? = nil, history: [JobAttempt] = []
    ) {
        self.id = id
        self.pluginName = pluginName
        self.pluginVersion = pluginVersion
        self.status = status
        self.input = input
        self.result = result
        self.errorMessage = errorMessage
        self.errorCode = errorCode
        self.ownerID = ownerID
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.runAt = runAt ?? createdAt
        self.progress = progress
        self.deadLettered = deadLettered
        self.cancelRequested = cancelRequested
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.history = history
    }
}

/// A state change or progress update, stored in order so the events API can replay it.
public struct JobEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case status
        case progress
    }

    public var sequence: Int64
    public var jobID: UUID
    public var kind: Kind
    public var status: JobStatus
    public var attempt: Int
    public var progress: Double?
    public var message: String?
    public var at: Date

    public init(
        sequence: Int64 = 0, jobID: UUID, kind: Kind, status: JobStatus, attempt: Int, progress: Double? = nil,
        message: String? = nil, at: Date
    ) {
        self.sequence = sequence
        self.jobID = jobID
        self.kind = kind
        self.status = status
        self.attempt = attempt
        self.progress = progress
        self.message = message
        self.at = at
    }
}
