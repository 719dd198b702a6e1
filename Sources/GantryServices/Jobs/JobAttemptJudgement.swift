import Foundation
import GantryCore
import GantryJSONSchema
import GantryPorts

/// Turns what an attempt's process did into a result or a failure (seed 003's contract), and a
/// job into its next state. Pure, so every rule is unit-tested.
public enum JobAttemptJudgement {
    /// A zero exit with a JSON document on stdout that fits the output schema is a result;
    /// anything else is a failure saying why.
    public static func judge(
        _ output: JobRunOutput, plugin: Plugin, outputSchema: JSONSchema?, limits: JSONSchemaLimits = .standard
    ) -> Result<JSONValue, JobFailure> {
        guard let exitCode = output.exitCode else {
            return .failure(JobFailure(.containerError, "the engine did not report the container's exit status"))
        }
        guard exitCode == 0 else {
            var message = output.stderrTail.isEmpty ? "exited with code \(exitCode)" : output.stderrTail
            if output.outOfMemory {
                message =
                    "killed for using more than its memory limit of \(plugin.resources.memoryMB) MB"
                    + (output.stderrTail.isEmpty ? "" : "\n\(output.stderrTail)")
            }
            return .failure(JobFailure(.pluginError, message, exitCode: exitCode))
        }
        guard let result = PluginOutput.result(fromStdout: output.stdout) else {
            let shown = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200)
            return .failure(
                JobFailure(
                    .invalidOutput,
                    shown.isEmpty ? "the plugin wrote nothing to stdout" : "no JSON document on stdout: \(shown)",
                    exitCode: 0))
        }
        if let outputSchema {
            let violations: [JSONSchemaViolation]
            do {
                violations = try outputSchema.validate(result, limits: limits)
            } catch {
                return .failure(
                    JobFailure(
                        .invalidOutput, "the result could not be checked against the output schema: \(error)",
                        exitCode: 0))
            }
            if let first = violations.first {
                let more = violations.count > 1 ? " (and \(violations.count - 1) more)" : ""
                return .failure(
                    JobFailure(
                        .invalidOutput, "the result does not match the output schema: \(first)\(more)", exitCode: 0))
            }
        }
        return .success(result)
    }

    /// The job after a successful attempt.
    public static func completed(_ job: Job, result: JSONValue, attempt: JobAttempt, now: Date) -> Job {
        var job = job
        job.status = .completed
        job.result = result
        job.errorMessage = nil
        job.errorCode = nil
        job.completedAt = now
        job.updatedAt = now
        job.progress = 1
        job.history.append(attempt)
        return job
    }

    /// The job after a failed attempt: queued again later, or failed (and maybe dead-lettered).
    public static func failed(
        _ job: Job, failure: JobFailure, attempt: JobAttempt, policy: JobRetryPolicy, now: Date
    ) -> (job: Job, retried: Bool) {
        var job = job
        job.history.append(attempt)
        job.errorMessage = failure.message
        job.errorCode = failure.reason.rawValue
        job.updatedAt = now
        switch policy.decide(after: failure, attempt: job.attempts, maxAttempts: job.maxAttempts, now: now) {
        case .retry(let at):
            job.status = .queued
            job.runAt = at
            job.progress = nil
            return (job, true)
        case .fail(let deadLetter):
            job.status = .failed
            job.deadLettered = deadLetter
            job.completedAt = now
            return (job, false)
        }
    }

    /// The job handed back to the queue without using up an attempt (the server is stopping).
    public static func released(_ job: Job, attempt: JobAttempt, now: Date) -> Job {
        var job = job
        job.history.append(attempt)
        job.status = .queued
        job.attempts = max(0, job.attempts - 1)
        job.runAt = now
        job.progress = nil
        job.updatedAt = now
        return job
    }
}
