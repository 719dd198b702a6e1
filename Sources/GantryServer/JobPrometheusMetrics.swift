import Foundation
import GantryCore
import GantryPorts
import GantryServices
import Prometheus

/// The job queue's metrics in the server's Prometheus registry: jobs by state, queue depth, dead
/// letters, retries, and duration histograms (P50/P95/P99 come from the buckets).
struct JobPrometheusMetrics: JobQueueMetrics {
    let registry: PrometheusCollectorRegistry

    static let attemptBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(900), .seconds(3600),
    ]

    private func counter(_ name: String, _ help: String, _ labels: [(String, String)]) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "gantry", metricName: name, unitName: "", helpText: help),
            labels: labels)
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Gauge {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "gantry", metricName: name, unitName: "", helpText: help),
            labels: labels)
    }

    func jobQueued(plugin: String) {
        counter("jobs_submitted_total", "Jobs queued by submission.", [("plugin", plugin)]).increment()
    }

    func attemptFinished(plugin: String, outcome: String, seconds: Double) {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "gantry", metricName: "job_attempt_duration", unitName: "seconds",
                helpText: "Job attempt run time by plugin and outcome."),
            labels: [("plugin", plugin), ("outcome", outcome)], buckets: Self.attemptBuckets
        ).record(.milliseconds(Int64(seconds * 1000)))
    }

    func jobFinished(plugin: String, status: JobStatus, seconds: Double) {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "gantry", metricName: "job_duration", unitName: "seconds",
                helpText: "Time from submission to the final state, by plugin and final status."),
            labels: [("plugin", plugin), ("status", status.rawValue)], buckets: Self.attemptBuckets
        ).record(.milliseconds(Int64(seconds * 1000)))
        counter("jobs_finished_total", "Jobs that reached a final state.", [("status", status.rawValue)]).increment()
    }

    func jobRetried(plugin: String) {
        counter("job_retries_total", "Attempts that failed and were scheduled again.", [("plugin", plugin)]).increment()
    }

    func jobDeadLettered(plugin: String) {
        counter("job_dead_letters_total", "Jobs dead-lettered (failed for good).", []).increment()
    }

    func updateCounts(_ counts: JobCounts) {
        for status in JobStatus.allCases {
            gauge("jobs", "Jobs by state.", [("state", status.rawValue)]).set(Double(counts.byStatus[status] ?? 0))
        }
        gauge("job_queue_depth", "Queued jobs that are due to run.").set(Double(counts.due))
        gauge("jobs_dead_lettered", "Dead-lettered jobs waiting for an admin.").set(Double(counts.deadLettered))
    }
}
