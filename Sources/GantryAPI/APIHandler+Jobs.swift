import Foundation
import GantryCore
import GantryEdge
import GantryOpenAPI
import GantryPorts
import GantryServices
import OpenAPIRuntime

extension APIHandler {
    public func listJobs(_ input: Operations.ListJobs.Input) async throws -> Operations.ListJobs.Output {
        let page = try await services.jobs.list(
            by: try await principal(), status: input.query.status?.domain, pluginName: input.query.pluginName,
            user: input.query.userId, skip: input.query.skip ?? 0, limit: input.query.limit ?? 50)
        return .ok(
            .init(body: .json(.init(total: page.total, items: page.items.map { .init($0, withPayloads: false) }))))
    }

    public func createJob(_ input: Operations.CreateJob.Input) async throws -> Operations.CreateJob.Output {
        guard case .json(let body) = input.body else { throw GantryError.invalid("expected a JSON body") }
        let caller = try await principal()
        let job = try await services.jobs.submit(
            pluginName: body.pluginName, input: JSONRequestBody.member("input_data") ?? JSONValue(body.inputData),
            by: caller)
        return .accepted(.init(body: .json(.init(job))))
    }

    public func getJobStats(_ input: Operations.GetJobStats.Input) async throws -> Operations.GetJobStats.Output {
        let counts = try await services.jobs.counts(by: try await principal())
        return .ok(
            .init(
                body: .json(
                    .init(
                        queued: counts.byStatus[.queued] ?? 0, processing: counts.byStatus[.processing] ?? 0,
                        completed: counts.byStatus[.completed] ?? 0, failed: counts.byStatus[.failed] ?? 0,
                        deadLettered: counts.deadLettered, queueDepth: counts.due))))
    }

    public func listDeadJobs(_ input: Operations.ListDeadJobs.Input) async throws -> Operations.ListDeadJobs.Output {
        let page = try await services.jobs.deadLetters(
            by: try await principal(), pluginName: input.query.pluginName, skip: input.query.skip ?? 0,
            limit: input.query.limit ?? 50)
        return .ok(
            .init(body: .json(.init(total: page.total, items: page.items.map { .init($0, withPayloads: false) }))))
    }

    public func getJob(_ input: Operations.GetJob.Input) async throws -> Operations.GetJob.Output {
        let job = try await services.jobs.job(id: try jobID(input.path.id), by: try await principal())
        return .ok(.init(body: .json(.init(job))))
    }

    public func cancelJob(_ input: Operations.CancelJob.Input) async throws -> Operations.CancelJob.Output {
        let job = try await services.jobs.cancel(id: try jobID(input.path.id), by: try await principal())
        return .ok(.init(body: .json(.init(job))))
    }

    public func requeueJob(_ input: Operations.RequeueJob.Input) async throws -> Operations.RequeueJob.Output {
        let job = try await services.jobs.requeue(id: try jobID(input.path.id), by: try await principal())
        return .ok(.init(body: .json(.init(job))))
    }

    public func streamJobEvents(
        _ input: Operations.StreamJobEvents.Input
    ) async throws
        -> Operations.StreamJobEvents.Output
    {
        let job = try await services.jobs.job(id: try jobID(input.path.id), by: try await principal())
        let resumeAfter = input.headers.lastEventID.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        let body = JobEventStream(jobs: services.jobs, jobID: job.id, after: resumeAfter).body()
        return .ok(.init(body: .textEventStream(body)))
    }

    /// Job ids are UUIDs; anything else cannot name a job.
    private func jobID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else {
            throw GantryError(.notFound, code: "not_found", detail: "job '\(text)' not found (job ids are UUIDs)")
        }
        return id
    }
}
