import Foundation
import GantryOpenAPI
import OpenAPIRuntime

/// How jobs look to people: a table for lists; for one job its state, its attempts and its input and result in
/// full; one line per change while `submit --wait` follows it.
enum JobRendering {
    static func table(_ jobs: [Components.Schemas.Job], now: Date) -> String {
        TableRenderer(columns: [
            .init("ID"), .init("PLUGIN"), .init("STATUS"), .init("ATTEMPTS", alignment: .right),
            .init("PROGRESS", alignment: .right), .init("CREATED"), .init("COMPLETED"),
        ]).render(
            jobs.map { job in
                [
                    Format.shortID(job.id), plugin(job), status(job), attempts(job), progress(job.progress),
                    Format.age(of: job.createdAt, now: now) + " ago",
                    job.completedAt.map { Format.age(of: $0, now: now) + " ago" } ?? "-",
                ]
            })
    }

    static func details(_ job: Components.Schemas.Job, now: Date) -> String {
        var pairs: [(String, String)] = [
            ("ID", job.id),
            ("Plugin", plugin(job)),
            ("Status", status(job)),
            ("Attempts", attempts(job)),
            ("Progress", progress(job.progress)),
            ("Owner", job.ownerId),
            ("Created", "\(Format.timestamp(job.createdAt)) (\(Format.age(of: job.createdAt, now: now)) ago)"),
            ("Started", job.startedAt.map(Format.timestamp) ?? "-"),
            ("Completed", job.completedAt.map(Format.timestamp) ?? "-"),
            ("Updated", Format.timestamp(job.updatedAt)),
        ]
        if job.status == .queued, let next = job.nextAttemptAt {
            pairs.append(("Next attempt", "\(Format.timestamp(next)) (\(Format.expiresIn(next, now: now)))"))
        }
        if job.errorCode != nil || job.errorMessage != nil { pairs.append(("Error", error(job))) }
        var output = DetailRenderer.render(pairs)
        if !job.attemptHistory.isEmpty {
            output += "\nAttempt history:\n" + indented(attemptTable(job.attemptHistory))
        }
        output += "\nInput:\n" + JSONValueRendering.block(job.inputData)
        if job.result != nil || job.status == .completed {
            output += "\nResult:\n" + JSONValueRendering.block(job.result)
        }
        return output
    }

    static func attemptTable(_ attempts: [Components.Schemas.JobAttempt]) -> String {
        TableRenderer(columns: [
            .init("ATTEMPT", alignment: .right), .init("STARTED"), .init("ENDED"), .init("EXIT", alignment: .right),
            .init("ERROR"),
        ]).render(
            attempts.map { attempt in
                [
                    String(attempt.attempt), Format.timestamp(attempt.startedAt),
                    attempt.endedAt.map(Format.timestamp) ?? "-", attempt.exitCode.map(String.init) ?? "-",
                    errorText(message: attempt.error, code: attempt.errorCode) ?? "-",
                ]
            })
    }

    /// `name@version`: a plugin can be updated while its jobs wait, and they keep the version they were
    /// submitted against.
    static func plugin(_ job: Components.Schemas.Job) -> String { "\(job.pluginName)@\(job.pluginVersion)" }

    /// The status, with what the contract says besides it: dead-lettered, being cancelled, or waiting to retry.
    static func status(_ job: Components.Schemas.Job) -> String {
        let status = job.status.rawValue
        if job.deadLettered { return "\(status) (dead)" }
        if job.cancelRequested && !JobReference.isFinished(job.status) { return "\(status) (cancelling)" }
        if job.status == .queued && job.attempts > 0 { return "\(status) (retry)" }
        return status
    }

    static func attempts(_ job: Components.Schemas.Job) -> String {
        Format.fraction(String(job.attempts), String(job.maxAttempts))
    }

    /// The plugin's 0…1 as a whole percentage; `-` until it reports any.
    static func progress(_ progress: Double?) -> String {
        guard let progress, progress.isFinite else { return "-" }
        return "\(percent(progress))%"
    }

    static func percent(_ progress: Double) -> Int {
        Int((min(max(progress, 0), 1) * 100).rounded())
    }

    /// `message (code)`, as much of it as there is.
    static func error(_ job: Components.Schemas.Job) -> String {
        errorText(message: job.errorMessage, code: job.errorCode) ?? "-"
    }

    /// After `submit` without --wait: the full ID, to pass to `jobs show`.
    static func submitted(_ job: Components.Schemas.Job) -> String {
        "Submitted job \(job.id) to \(plugin(job)); it is \(status(job))\n"
    }

    /// After `cancel`: a queued job ends at once; a running one only once its container has stopped.
    static func cancelled(_ job: Components.Schemas.Job) -> String {
        if JobReference.isFinished(job.status) {
            return "Cancelled job \(job.id); it is \(job.status.rawValue)\n"
        }
        return "Cancelling job \(job.id); it ends once its container has stopped\n"
    }

    static func requeued(_ job: Components.Schemas.Job) -> String {
        "Requeued job \(job.id); it is \(status(job)) with \(job.maxAttempts) attempts to go\n"
    }

    static func stats(_ stats: Components.Schemas.JobStats) -> String {
        let counts: [(Components.Schemas.JobStatus, Int)] = [
            (.queued, stats.queued), (.processing, stats.processing), (.completed, stats.completed),
            (.failed, stats.failed),
        ]
        let table = TableRenderer(columns: [.init("STATUS"), .init("JOBS", alignment: .right)])
            .render(counts.map { [$0.0.rawValue, String($0.1)] })
        return table + "\n"
            + DetailRenderer.render([
                ("Dead-lettered", String(stats.deadLettered)),
                ("Queue depth", "\(stats.queueDepth) (queued jobs ready to run)"),
            ])
    }

    /// What `submit --wait` prints on stdout when the job completed: its result alone, so it can be piped.
    static func resultOutput(_ job: Components.Schemas.Job) -> String {
        job.result.map(JSONValueRendering.pretty) ?? "null"
    }

    /// The error `submit --wait` ends with when the job failed: `error: job failed: MESSAGE (CODE)`. It reuses
    /// the API failure's wording, whose code slot is exactly where the job's error code belongs; the status is
    /// that of the response that reported the failure.
    static func failure(_ job: Components.Schemas.Job) -> CLIError {
        var detail = "job failed"
        if let message = job.errorMessage, !message.isEmpty { detail += ": \(message)" }
        let code = job.errorCode.flatMap { $0.isEmpty ? nil : $0 } ?? "job_failed"
        return .api(.init(status: 200, code: code, detail: detail, resource: job.id, nodes: []))
    }

    /// One stderr line for `submit --wait`, e.g. `job 1a2b3c4d: processing (attempt 1)`.
    static func statusLine(
        jobID: String, status: Components.Schemas.JobStatus, attempt: Int, message: String?
    ) -> String {
        var text: String
        switch status {
        case .queued: text = attempt > 0 ? "queued again after attempt \(attempt)" : "queued"
        case .processing: text = attempt > 0 ? "processing (attempt \(attempt))" : "processing"
        case .completed, .failed: text = status.rawValue
        }
        if let message, !message.isEmpty { text += ": \(message)" }
        return "job \(Format.shortID(jobID)): \(text)"
    }

    /// One stderr line for a progress report, e.g. `job 1a2b3c4d: 40% (loading the model)`.
    static func progressLine(jobID: String, progress: Double, message: String?) -> String {
        var text = "job \(Format.shortID(jobID)): \(percent(progress))%"
        if let message, !message.isEmpty { text += " (\(message))" }
        return text
    }

    private static func errorText(message: String?, code: String?) -> String? {
        switch (message.flatMap { $0.isEmpty ? nil : $0 }, code.flatMap { $0.isEmpty ? nil : $0 }) {
        case (.some(let message), .some(let code)): "\(message) (\(code))"
        case (.some(let message), nil): message
        case (nil, .some(let code)): code
        case (nil, nil): nil
        }
    }

    private static func indented(_ text: String) -> String {
        text.split(separator: "\n").map { "  \($0)\n" }.joined()
    }
}
