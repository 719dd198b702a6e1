import Foundation
import GantryCore
import GantryJSONSchema
import GantryPorts
import GantryServices
import GantryTestSupport
import Testing

/// The pure rules that turn an attempt's process into a result or a failure.
@Suite("Job attempt judgement")
struct JobAttemptJudgementTests {
    let plugin = Plugin(
        name: "p", version: "1", description: "", imageReference: "x/y:1", inputSchema: nil, outputSchema: nil,
        resources: .init(cpu: 1, memoryMB: 64, gpus: 0), timeoutSeconds: 10, inputMode: .stdin, network: false,
        createdAt: Date(), updatedAt: Date())

    @Test func exitCodesStderrAndMemory() throws {
        let failed = JobAttemptJudgement.judge(
            JobRunOutput(exitCode: 3, stdout: "", stderrTail: "bad things"), plugin: plugin, outputSchema: nil)
        #expect(failed == .failure(JobFailure(.pluginError, "bad things", exitCode: 3)))
        let silent = JobAttemptJudgement.judge(
            JobRunOutput(exitCode: 2, stdout: "", stderrTail: ""), plugin: plugin, outputSchema: nil)
        #expect(silent == .failure(JobFailure(.pluginError, "exited with code 2", exitCode: 2)))
        let oom = JobAttemptJudgement.judge(
            JobRunOutput(exitCode: 137, stdout: "", stderrTail: "", outOfMemory: true), plugin: plugin,
            outputSchema: nil)
        guard case .failure(let failure) = oom else { throw TestFailure("expected a failure") }
        #expect(failure.message.contains("64 MB"))
        let unknown = JobAttemptJudgement.judge(
            JobRunOutput(exitCode: nil, stdout: "{}", stderrTail: ""), plugin: plugin, outputSchema: nil)
        guard case .failure(let lost) = unknown else { throw TestFailure("expected a failure") }
        #expect(lost.reason == .containerError)
    }

    @Test func resultsAndTheOutputSchema() throws {
        let schema = try JSONSchema(
            try JSONValue(parsing: #"{"type":"object","required":["prediction"]}"#))
        let ok = JobAttemptJudgement.judge(
            JobRunOutput(exitCode: 0, stdout: "log\n{\"prediction\":\"a\"}\n", stderrTail: ""), plugin: plugin,
            outputSchema: schema)
        #expect(ok == .success(.object(["prediction": .string("a")])))
        let broken = JobAttemptJudgement.judge(
            JobRunOutput(exitCode: 0, stdout: #"{"other":1}"#, stderrTail: ""), plugin: plugin, outputSchema: schema)
        guard case .failure(let failure) = broken else { throw TestFailure("expected a failure") }
        #expect(failure.reason == .invalidOutput && failure.message.contains("prediction"))
        let none = JobAttemptJudgement.judge(
            JobRunOutput(exitCode: 0, stdout: "", stderrTail: ""), plugin: plugin, outputSchema: nil)
        #expect(none == .failure(JobFailure(.invalidOutput, "the plugin wrote nothing to stdout", exitCode: 0)))
    }

    @Test func nextStates() {
        let now = Date()
        var job = Job(
            pluginName: "p", pluginVersion: "1", input: .null, ownerID: UUID(), createdAt: now, maxAttempts: 2)
        job.status = .processing
        job.attempts = 1
        let attempt = JobAttempt(attempt: 1, startedAt: now)
        let retried = JobAttemptJudgement.failed(
            job, failure: JobFailure(.timeout, "slow"), attempt: attempt, policy: JobRetryPolicy(maxRetries: 1),
            now: now)
        #expect(retried.retried && retried.job.status == .queued && retried.job.runAt == now + 1)
        job.attempts = 2
        let dead = JobAttemptJudgement.failed(
            job, failure: JobFailure(.timeout, "slow"), attempt: attempt, policy: JobRetryPolicy(maxRetries: 1),
            now: now)
        #expect(!dead.retried && dead.job.status == .failed && dead.job.deadLettered && dead.job.errorCode == "timeout")
        let released = JobAttemptJudgement.released(job, attempt: attempt, now: now)
        #expect(released.status == .queued && released.attempts == 1 && released.history.count == 1)
        let done = JobAttemptJudgement.completed(job, result: .bool(true), attempt: attempt, now: now)
        #expect(done.status == .completed && done.progress == 1 && done.completedAt == now)
    }

    @Test func signalWakesAWaiterAndTimesOut() async {
        let signal = JobQueueSignal()
        let clock = ContinuousClock()
        var start = clock.now
        await signal.wait(timeout: .milliseconds(50))
        #expect(clock.now - start >= .milliseconds(40))
        signal.signal()
        start = clock.now
        await signal.wait(timeout: .seconds(10))
        #expect(clock.now - start < .seconds(5))
        Task {
            try? await Task.sleep(for: .milliseconds(50))
            signal.signal()
        }
        start = clock.now
        await signal.wait(timeout: .seconds(10))
        #expect(clock.now - start < .seconds(5))
    }
}
