import Foundation
import GantryCore
import Testing

@Suite struct JobTransitionTests {
    static let at = Date(timeIntervalSince1970: 1_700_000_000)
    static let retryAt = Date(timeIntervalSince1970: 1_700_000_002)

    struct Rule: Sendable, CustomTestStringConvertible {
        var event: JobQueueEvent
        var from: [JobStatus]
        var to: JobStatus
        var reason: String
        var desired: WorkloadDesiredState?
        var testDescription: String { "\(event)" }
    }

    static let rules: [Rule] = [
        Rule(
            event: .claimed(worker: "host/42/ab12"), from: [.queued], to: .processing,
            reason: "attempt started by host/42/ab12"),
        Rule(event: .completed, from: [.processing], to: .completed, reason: "completed"),
        Rule(
            event: .failedWillRetry(
                attempt: 2, failure: JobFailure(.pluginError, "boom", exitCode: 1), retryAt: retryAt),
            from: [.processing], to: .queued, reason: "attempt 2 failed (plugin_error); retry at 2023-11-14T22:13:22Z"),
        Rule(
            event: .failedFinal(JobFailure(.invalidOutput, "the plugin wrote nothing to stdout", exitCode: 0)),
            from: [.processing], to: .failed, reason: "invalid_output: the plugin wrote nothing to stdout"),
        Rule(
            event: .cancelled(message: "cancelled by alice"), from: [.queued, .processing], to: .failed,
            reason: "cancelled: cancelled by alice", desired: .absent),
        Rule(
            event: .handedBack, from: [.processing], to: .queued,
            reason: "handed back to the queue: the server is stopping"),
        Rule(
            event: .workerLost(worker: "host/7/cd34", willRetry: true), from: [.processing], to: .queued,
            reason: "worker_lost: worker host/7/cd34 stopped renewing its lease; retrying"),
        Rule(
            event: .workerLost(worker: "host/7/cd34", willRetry: false), from: [.processing], to: .failed,
            reason: "worker_lost: worker host/7/cd34 stopped renewing its lease"),
        Rule(
            event: .expiredInQueue(ttlSeconds: 3600), from: [.queued], to: .failed,
            reason: "expired: waited in the queue longer than 3600 s"),
        Rule(event: .requeued, from: [.failed], to: .queued, reason: "requeued from the dead letters"),
    ]

    @Test(arguments: rules)
    func allowedMoves(rule: Rule) throws {
        for status in rule.from {
            #expect(
                try status.transition(on: rule.event, at: Self.at)
                    == StateTransition(
                        from: status, to: rule.to, reason: rule.reason, at: Self.at, desired: rule.desired))
        }
    }

    @Test(arguments: rules)
    func refusedMoves(rule: Rule) {
        for status in JobStatus.allCases where !rule.from.contains(status) {
            #expect(throws: TransitionError(kind: .job, state: status.rawValue, action: rule.event.action)) {
                try status.transition(on: rule.event, at: Self.at)
            }
        }
    }

    @Test func refusalsReadLikeTheAPISaysThem() {
        #expect(
            TransitionError(kind: .job, state: "completed", action: JobQueueEvent.cancelled(message: "x").action)
                .description == "cannot cancel a job that is completed")
        #expect(
            TransitionError(kind: .job, state: "processing", action: JobQueueEvent.claimed(worker: "w").action)
                .description == "cannot claim a job that is processing")
    }

    @Test func completedIsFinal() {
        let events: [JobQueueEvent] = [
            .claimed(worker: "w"), .completed, .failedFinal(JobFailure(.timeout, "t")), .cancelled(message: "c"),
            .handedBack, .workerLost(worker: "w", willRetry: true), .expiredInQueue(ttlSeconds: 1), .requeued,
            .failedWillRetry(attempt: 1, failure: JobFailure(.timeout, "t"), retryAt: Self.retryAt),
        ]
        for event in events {
            #expect(throws: TransitionError.self) { try JobStatus.completed.transition(on: event, at: Self.at) }
        }
    }

    /// The retry policy's decision picks the event, and the event lands where the judgement puts the job.
    @Test func agreesWithTheRetryPolicy() throws {
        let policy = JobRetryPolicy()
        let failure = JobFailure(.pluginError, "boom", exitCode: 1)
        switch policy.decide(after: failure, attempt: 1, maxAttempts: 4, now: Self.at) {
        case .retry(let runAt):
            let transition = try JobStatus.processing.transition(
                on: .failedWillRetry(attempt: 1, failure: failure, retryAt: runAt), at: Self.at)
            #expect(transition.to == .queued)
            #expect(transition.reason == "attempt 1 failed (plugin_error); retry at 2023-11-14T22:13:21Z")
        case .fail:
            Issue.record("a first plugin error is retried")
        }
        #expect(policy.decide(after: failure, attempt: 4, maxAttempts: 4, now: Self.at) == .fail(deadLetter: true))
        #expect(try JobStatus.processing.transition(on: .failedFinal(failure), at: Self.at).to == .failed)
    }
}
