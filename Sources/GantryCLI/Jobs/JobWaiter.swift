import Foundation
import GantryOpenAPI
import OpenAPIRuntime

/// Follows a job until it has completed or failed: from its server-sent events while the stream lasts, then
/// by polling, so a proxy that buffers or cuts the stream only makes `--wait` coarser, never wrong.
struct JobWaiter: Sendable {
    var api: GantryAPIClient
    /// Nil waits as long as the job takes: queued jobs may wait for a worker for any length of time.
    var timeout: Duration?
    /// Frequent enough that polling returns promptly, rare enough not to load the server.
    var pollInterval: Duration = .milliseconds(500)
    /// Where the progress lines go (stderr, or nowhere under --json).
    var report: @Sendable (String) -> Void

    func waitUntilFinished(_ job: Components.Schemas.Job) async throws -> Components.Schemas.Job {
        guard let timeout else { return try await follow(job) }
        let finished = try await withThrowingTaskGroup(of: Components.Schemas.Job?.self) { group in
            group.addTask { try await follow(job) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if let finished { return finished }
        // The job goes on without us; say where it is, if the server still answers.
        let status = (try? await api.job(id: job.id)).map { " (it is still \(JobRendering.status($0)))" } ?? ""
        throw CLIError.timedOut(
            "timed out after \(Format.decimal(Self.seconds(timeout)))s waiting for job \(job.id)\(status); "
                + "it goes on: see `gantry jobs show \(job.id)`")
    }

    /// The events first; polling where they stop short of the end.
    func follow(_ start: Components.Schemas.Job) async throws -> Components.Schemas.Job {
        var tracker = JobProgressTracker()
        tracker.lines(for: start).forEach(report)
        if JobReference.isFinished(start.status) { return start }
        do {
            if let finished = try await stream(start.id, tracker: &tracker) { return finished }
            // A stream cut short by --timeout is no reason to poll.
            try Task.checkCancellation()
            report("job \(Format.shortID(start.id)): the event stream ended early; polling instead")
        } catch {
            if error is CancellationError || Task.isCancelled { throw error }
            report("job \(Format.shortID(start.id)): the event stream failed (\(describe(error))); polling instead")
        }
        return try await poll(start.id, tracker: &tracker)
    }

    /// Reads `GET /jobs/{id}/events` and returns the job once an event says it finished; nil when the stream ends
    /// before that.
    func stream(_ id: String, tracker: inout JobProgressTracker) async throws -> Components.Schemas.Job? {
        let body: HTTPBody
        switch try await api.client.streamJobEvents(
            path: .init(id: id), headers: .init(accept: [.init(contentType: .textEventStream)]))
        {
        case .ok(let ok): body = try ok.body.textEventStream
        default: throw CLIError.unexpectedResponse(Operations.StreamJobEvents.id)
        }
        var parser = ServerSentEventParser()
        for try await chunk in body {
            for event in parser.feed(chunk) {
                guard let jobEvent = Self.jobEvent(in: event) else { continue }
                tracker.lines(for: jobEvent).forEach(report)
                guard jobEvent.kind == .status, JobReference.isFinished(jobEvent.status) else { continue }
                // Events carry no result; the job itself does.
                let job = try await api.job(id: id)
                if JobReference.isFinished(job.status) { return job }
            }
        }
        return nil
    }

    func poll(_ id: String, tracker: inout JobProgressTracker) async throws -> Components.Schemas.Job {
        while true {
            let job = try await api.job(id: id)
            tracker.lines(for: job).forEach(report)
            if JobReference.isFinished(job.status) { return job }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// The `JobEvent` in an event's data; nil for anything else the stream may carry.
    static func jobEvent(in event: ServerSentEvent) -> Components.Schemas.JobEvent? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            try ISO8601Dates.parse(try decoder.singleValueContainer().decode(String.self))
        }
        return try? decoder.decode(Components.Schemas.JobEvent.self, from: Data(event.data.utf8))
    }

    private func describe(_ error: any Error) -> String {
        let translated = GantryAPIClient.translate(error, server: api.server)
        guard let cliError = translated as? CLIError, var line = cliError.lines.first else { return "\(translated)" }
        if line.hasPrefix("error: ") { line.removeFirst("error: ".count) }
        return line
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// What `submit --wait` has already told people, so each change is reported once whether it came from an
/// event, a replayed event or a poll.
struct JobProgressTracker: Equatable, Sendable {
    private(set) var status: Components.Schemas.JobStatus?
    private(set) var attempt: Int?
    /// Whole percent, so polling does not report 41.2% and 41.3% as two changes.
    private(set) var percent: Int?
    private(set) var lastSequence: Int?

    init() {}

    mutating func lines(for event: Components.Schemas.JobEvent) -> [String] {
        // A reconnected stream replays what was seen already.
        if let lastSequence, event.sequence <= lastSequence { return [] }
        lastSequence = event.sequence
        var lines: [String] = []
        if let line = noteStatus(
            event.status, attempt: event.attempt, jobID: event.jobId,
            message: event.kind == .status ? event.message : nil)
        {
            lines.append(line)
        }
        if event.kind == .progress, let progress = event.progress,
            let line = noteProgress(progress, jobID: event.jobId, message: event.message)
        {
            lines.append(line)
        }
        return lines
    }

    mutating func lines(for job: Components.Schemas.Job) -> [String] {
        var lines: [String] = []
        // A job queued again carries the failed attempt's error only in its history.
        let message = job.status == .queued ? job.attemptHistory.last?.error : nil
        if let line = noteStatus(job.status, attempt: job.attempts, jobID: job.id, message: message) {
            lines.append(line)
        }
        if job.status == .processing, let progress = job.progress,
            let line = noteProgress(progress, jobID: job.id, message: nil)
        {
            lines.append(line)
        }
        return lines
    }

    private mutating func noteStatus(
        _ status: Components.Schemas.JobStatus, attempt: Int, jobID: String, message: String?
    ) -> String? {
        guard status != self.status || attempt != self.attempt else { return nil }
        self.status = status
        self.attempt = attempt
        // A new attempt starts from nothing.
        percent = nil
        return JobRendering.statusLine(jobID: jobID, status: status, attempt: attempt, message: message)
    }

    private mutating func noteProgress(_ progress: Double, jobID: String, message: String?) -> String? {
        guard progress.isFinite else { return nil }
        let percent = JobRendering.percent(progress)
        guard percent != self.percent || message != nil else { return nil }
        self.percent = percent
        return JobRendering.progressLine(jobID: jobID, progress: progress, message: message)
    }
}
