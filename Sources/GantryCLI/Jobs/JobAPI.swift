import Foundation
import GantryOpenAPI

/// The job calls several `jobs` commands share, each reduced to its success value.
extension GantryAPIClient {
    func listJobs(
        skip: Int = 0, limit: Int, status: Components.Schemas.JobStatus? = nil, plugin: String? = nil,
        user: String? = nil
    ) async throws -> Components.Schemas.JobList {
        let query = Operations.ListJobs.Input.Query(
            skip: skip, limit: limit, status: status, pluginName: plugin, userId: user)
        switch try await client.listJobs(query: query) {
        case .ok(let ok): return try ok.body.json
        default: throw CLIError.unexpectedResponse(Operations.ListJobs.id)
        }
    }

    func listDeadJobs(skip: Int = 0, limit: Int, plugin: String? = nil) async throws -> Components.Schemas.JobList {
        switch try await client.listDeadJobs(query: .init(skip: skip, limit: limit, pluginName: plugin)) {
        case .ok(let ok): return try ok.body.json
        default: throw CLIError.unexpectedResponse(Operations.ListDeadJobs.id)
        }
    }

    func job(id: String) async throws -> Components.Schemas.Job {
        switch try await client.getJob(path: .init(id: id)) {
        case .ok(let ok): return try ok.body.json
        default: throw CLIError.unexpectedResponse(Operations.GetJob.id)
        }
    }

    func submitJob(_ request: Components.Schemas.NewJob) async throws -> Components.Schemas.Job {
        switch try await client.createJob(body: .json(request)) {
        case .accepted(let accepted): return try accepted.body.json
        default: throw CLIError.unexpectedResponse(Operations.CreateJob.id)
        }
    }

    /// The full ID behind a typed ID or ID prefix. Only a prefix costs a list call: the newest 500 jobs (the
    /// page maximum), which covers any job someone is likely to have just seen in a table.
    func jobID(for reference: String) async throws -> String {
        if let id = FullUUID.normalized(reference) { return id }
        if !InstanceReference.isIDPrefix(reference.trimmingCharacters(in: .whitespaces)) {
            // Refused without a round trip.
            return try JobReference.resolve(reference, among: [])
        }
        let list = try await listJobs(limit: AllPages.pageSize)
        return try JobReference.resolve(reference, among: list.items, isComplete: list.items.count >= list.total)
    }
}
