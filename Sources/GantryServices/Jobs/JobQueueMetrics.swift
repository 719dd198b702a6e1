import GantryCore
import GantryPorts

/// What the job queue reports to metrics; the server backs it with Prometheus.
public protocol JobQueueMetrics: Sendable {
    func jobQueued(plugin: String)
    /// One attempt ended: `outcome` is `completed` or a failure reason's code.
    func attemptFinished(plugin: String, outcome: String, seconds: Double)
    /// A job reached its final state; `seconds` runs from creation to completion.
    func jobFinished(plugin: String, status: JobStatus, seconds: Double)
    func jobRetried(plugin: String)
    func jobDeadLettered(plugin: String)
    func updateCounts(_ counts: JobCounts)
}

public struct NoopJobQueueMetrics: JobQueueMetrics {
    public init() {}
    public func jobQueued(plugin: String) {}
    public func attemptFinished(plugin: String, outcome: String, seconds: Double) {}
    public func jobFinished(plugin: String, status: JobStatus, seconds: Double) {}
    public func jobRetried(plugin: String) {}
    public func jobDeadLettered(plugin: String) {}
    public func updateCounts(_ counts: JobCounts) {}
}
