import Foundation
import GantryOpenAPI
import OpenAPIRuntime
import Testing

@testable import GantryCLI

/// Jobs and plugins as the server would send them, for rendering, resolution and waiting tests.
enum JobSamples {
    static let created = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z

    static func json(_ text: String) throws -> OpenAPIValueContainer {
        try JSONDecoder().decode(OpenAPIValueContainer.self, from: Data(text.utf8))
    }

    static func job(
        id: String = "1a2b3c4d-0000-4000-8000-000000000001",
        status: Components.Schemas.JobStatus = .completed,
        attempts: Int = 1,
        progress: Double? = 1,
        input: OpenAPIValueContainer? = nil,
        result: OpenAPIValueContainer? = nil,
        errorMessage: String? = nil,
        errorCode: String? = nil,
        completedAfter seconds: Double? = 90,
        deadLettered: Bool = false,
        cancelRequested: Bool = false,
        history: [Components.Schemas.JobAttempt] = []
    ) -> Components.Schemas.Job {
        .init(
            id: id, pluginName: "classifier", pluginVersion: "1.0.0", status: status, inputData: input,
            result: result, errorMessage: errorMessage, errorCode: errorCode,
            ownerId: "11111111-0000-4000-8000-000000000001", createdAt: created,
            startedAt: attempts > 0 ? created.addingTimeInterval(5) : nil,
            completedAt: seconds.map { created.addingTimeInterval($0) },
            updatedAt: created.addingTimeInterval(seconds ?? 5), attempts: attempts, maxAttempts: 3,
            progress: progress, deadLettered: deadLettered, cancelRequested: cancelRequested,
            attemptHistory: history)
    }

    static func event(
        _ sequence: Int, _ kind: Components.Schemas.JobEvent.KindPayload, _ status: Components.Schemas.JobStatus,
        attempt: Int = 1, progress: Double? = nil, message: String? = nil
    ) -> Components.Schemas.JobEvent {
        .init(
            sequence: sequence, jobId: "1a2b3c4d-0000-4000-8000-000000000001", kind: kind, status: status,
            attempt: attempt, progress: progress, message: message,
            at: created.addingTimeInterval(Double(sequence)))
    }
}

@Suite struct JobRenderingTests {
    let now = JobSamples.created.addingTimeInterval(10 * 60)

    @Test func tableShowsStatusAttemptsProgressAndAges() {
        let jobs = [
            JobSamples.job(),
            JobSamples.job(
                id: "2b3c4d5e-0000-4000-8000-000000000002", status: .processing, progress: 0.456,
                completedAfter: nil, cancelRequested: true),
            JobSamples.job(
                id: "3c4d5e6f-0000-4000-8000-000000000003", status: .queued, attempts: 0, progress: nil,
                completedAfter: nil),
            JobSamples.job(
                id: "4d5e6f70-0000-4000-8000-000000000004", status: .failed, attempts: 3, progress: 0.2,
                errorMessage: "exit 1", errorCode: "plugin_error", completedAfter: 300, deadLettered: true),
        ]
        #expect(
            JobRendering.table(jobs, now: now) == """
                ID         PLUGIN             STATUS                    ATTEMPTS   PROGRESS   CREATED   COMPLETED
                1a2b3c4d   classifier@1.0.0   completed                      1/3       100%   10m ago   8m ago
                2b3c4d5e   classifier@1.0.0   processing (cancelling)        1/3        46%   10m ago   -
                3c4d5e6f   classifier@1.0.0   queued                         0/3          -   10m ago   -
                4d5e6f70   classifier@1.0.0   failed (dead)                  3/3        20%   10m ago   5m ago

                """)
    }

    @Test func aJobWaitingToRetrySaysSo() {
        #expect(JobRendering.status(JobSamples.job(status: .queued, attempts: 1)) == "queued (retry)")
        // Cancelling only matters while the job can still change.
        #expect(JobRendering.status(JobSamples.job(status: .failed, cancelRequested: true)) == "failed")
    }

    @Test func progressIsAClampedWholePercentage() {
        #expect(JobRendering.progress(nil) == "-")
        #expect(JobRendering.progress(0) == "0%")
        #expect(JobRendering.progress(0.125) == "13%")
        #expect(JobRendering.progress(1.7) == "100%")
        #expect(JobRendering.progress(-0.5) == "0%")
        #expect(JobRendering.progress(.nan) == "-")
    }

    @Test func detailsShowEveryFieldTheHistoryAndTheJSON() throws {
        let job = JobSamples.job(
            status: .completed, attempts: 2, input: try JobSamples.json(#"{"features":[0.5,1.2],"b":true}"#),
            result: try JobSamples.json(#"{"prediction":"class_A","confidence":0.87}"#),
            history: [
                .init(
                    attempt: 1, startedAt: JobSamples.created.addingTimeInterval(5),
                    endedAt: JobSamples.created.addingTimeInterval(20), errorCode: "timeout",
                    error: "no result within 15s", exitCode: 137),
                .init(
                    attempt: 2, startedAt: JobSamples.created.addingTimeInterval(30),
                    endedAt: JobSamples.created.addingTimeInterval(90), exitCode: 0),
            ])
        #expect(
            JobRendering.details(job, now: now) == """
                ID:         1a2b3c4d-0000-4000-8000-000000000001
                Plugin:     classifier@1.0.0
                Status:     completed
                Attempts:   2/3
                Progress:   100%
                Owner:      11111111-0000-4000-8000-000000000001
                Created:    2025-01-01T00:00:00Z (10m ago)
                Started:    2025-01-01T00:00:05Z
                Completed:  2025-01-01T00:01:30Z
                Updated:    2025-01-01T00:01:30Z

                Attempt history:
                  ATTEMPT   STARTED                ENDED                  EXIT   ERROR
                        1   2025-01-01T00:00:05Z   2025-01-01T00:00:20Z    137   no result within 15s (timeout)
                        2   2025-01-01T00:00:30Z   2025-01-01T00:01:30Z      0   -

                Input:
                  {
                    "b" : true,
                    "features" : [
                      0.5,
                      1.2
                    ]
                  }

                Result:
                  {
                    "confidence" : 0.87,
                    "prediction" : "class_A"
                  }

                """)
    }

    @Test func detailsOfAFailedJobShowTheErrorAndNoResult() {
        let job = JobSamples.job(
            status: .failed, attempts: 3, errorMessage: "plugin exited with status 2", errorCode: "plugin_error",
            deadLettered: true)
        let details = JobRendering.details(job, now: now)
        #expect(details.contains("Status:     failed (dead)\n"))
        #expect(details.contains("Error:      plugin exited with status 2 (plugin_error)\n"))
        #expect(details.contains("Input:\n  (none)\n"))
        #expect(!details.contains("Result:"))
        #expect(!details.contains("Attempt history:"))
    }

    @Test func aQueuedRetryShowsWhenItRunsNext() {
        var job = JobSamples.job(status: .queued, attempts: 1, progress: nil, completedAfter: nil)
        job.nextAttemptAt = now.addingTimeInterval(30)
        #expect(JobRendering.details(job, now: now).contains("Next attempt:  2025-01-01T00:10:30Z (in 30s)\n"))
    }

    @Test func failureReadsAsAnErrorWithTheJobsCode() {
        let failed = JobSamples.job(status: .failed, errorMessage: "input rejected", errorCode: "plugin_error")
        #expect(JobRendering.failure(failed).lines == ["error: job failed: input rejected (plugin_error)"])
        let bare = JobSamples.job(status: .failed)
        #expect(JobRendering.failure(bare).lines == ["error: job failed (job_failed)"])
    }

    @Test func resultOutputIsThePrettyResultAlone() throws {
        let job = JobSamples.job(result: try JobSamples.json(#"{"b":[1,2],"a":"x/y"}"#))
        #expect(
            JobRendering.resultOutput(job) == """
                {
                  "a" : "x/y",
                  "b" : [
                    1,
                    2
                  ]
                }
                """)
        #expect(JobRendering.resultOutput(JobSamples.job(result: try JobSamples.json("42"))) == "42")
        #expect(JobRendering.resultOutput(JobSamples.job()) == "null")
    }

    @Test func actionSummaries() {
        let job = JobSamples.job(status: .queued, attempts: 0, progress: nil, completedAfter: nil)
        #expect(
            JobRendering.submitted(job)
                == "Submitted job 1a2b3c4d-0000-4000-8000-000000000001 to classifier@1.0.0; it is queued\n")
        #expect(
            JobRendering.cancelled(JobSamples.job(status: .failed, errorCode: "cancelled"))
                == "Cancelled job 1a2b3c4d-0000-4000-8000-000000000001; it is failed\n")
        #expect(
            JobRendering.cancelled(JobSamples.job(status: .processing, cancelRequested: true))
                == "Cancelling job 1a2b3c4d-0000-4000-8000-000000000001; it ends once its container has stopped\n")
        #expect(
            JobRendering.requeued(job)
                == "Requeued job 1a2b3c4d-0000-4000-8000-000000000001; it is queued with 3 attempts to go\n")
    }

    @Test func statsListStatesThenDeadLettersAndDepth() {
        let stats = Components.Schemas.JobStats(
            queued: 4, processing: 2, completed: 120, failed: 3, deadLettered: 1, queueDepth: 3)
        #expect(
            JobRendering.stats(stats) == """
                STATUS       JOBS
                queued          4
                processing      2
                completed     120
                failed          3

                Dead-lettered:  1
                Queue depth:    3 (queued jobs ready to run)

                """)
    }

    @Test func waitLinesNameTheJobAndTheChange() {
        let id = "1a2b3c4d-0000-4000-8000-000000000001"
        #expect(JobRendering.statusLine(jobID: id, status: .queued, attempt: 0, message: nil) == "job 1a2b3c4d: queued")
        #expect(
            JobRendering.statusLine(jobID: id, status: .processing, attempt: 2, message: nil)
                == "job 1a2b3c4d: processing (attempt 2)")
        #expect(
            JobRendering.statusLine(jobID: id, status: .queued, attempt: 1, message: "timed out")
                == "job 1a2b3c4d: queued again after attempt 1: timed out")
        #expect(
            JobRendering.progressLine(jobID: id, progress: 0.4, message: "loading the model")
                == "job 1a2b3c4d: 40% (loading the model)")
    }
}
