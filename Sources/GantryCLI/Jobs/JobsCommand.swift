import ArgumentParser
import Foundation
import GantryOpenAPI

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Submit and follow plugin jobs.",
        discussion: """
            A job runs a plugin (see `gantry plugins`) on one JSON input, in a container, retrying failed \
            attempts; a job that fails its last attempt is dead-lettered. Where a JOB is expected, give its ID or \
            an ID prefix of 8+ characters.

            Examples:
              gantry jobs submit classifier --input input.json --wait
              gantry jobs list --status processing
              gantry jobs show 1a2b3c4d
              gantry jobs cancel 1a2b3c4d
              gantry jobs list --dead
              gantry jobs requeue 1a2b3c4d
            """,
        subcommands: [
            JobsListCommand.self, JobSubmitCommand.self, JobShowCommand.self, JobCancelCommand.self,
            JobRequeueCommand.self, JobStatsCommand.self,
        ]
    )
}

struct JobsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List jobs (yours; everyone's for admins), newest first.", aliases: ["ls"])

    @OptionGroup var options: APIOptions
    @OptionGroup var page: PageOptions
    @Option(help: "Only jobs in this state.") var status: JobStatusArgument?
    @Option(help: "Only this plugin's jobs.") var plugin: String?
    @Option(help: "Only this user's jobs: ID or username (admin).") var user: String?
    @Flag(help: "Dead-lettered jobs instead: those that failed their last attempt (admin).") var dead = false
    @Flag(help: "Every page, however many jobs there are (ignores --limit and --skip).") var all = false

    func validate() throws {
        if dead && (status != nil || user != nil) {
            throw ValidationError("--dead lists every user's failed jobs; of the filters it takes only --plugin")
        }
    }

    func fetch(_ api: GantryAPIClient, skip: Int, limit: Int) async throws -> Components.Schemas.JobList {
        if dead { return try await api.listDeadJobs(skip: skip, limit: limit, plugin: plugin) }
        return try await api.listJobs(skip: skip, limit: limit, status: status?.status, plugin: plugin, user: user)
    }

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let list: Components.Schemas.JobList
            if all {
                let everything = try await AllPages.collect { skip, limit in
                    let page = try await fetch(api, skip: skip, limit: limit)
                    return (page.items, page.total)
                }
                list = .init(total: everything.total, items: everything.items)
            } else {
                list = try await fetch(api, skip: page.skip, limit: page.limit)
            }
            try api.emit(list) { JobRendering.table(list.items, now: Date()) }
            if !all { api.notePaging(shown: list.items.count, skip: page.skip, total: list.total) }
        }
    }
}

struct JobShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one job: its state, attempts, input and result.")

    @OptionGroup var options: APIOptions
    @Argument(help: "Job ID or ID prefix.") var job: String

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let found = try await api.job(id: try await api.jobID(for: job))
            try api.emit(found) { JobRendering.details(found, now: Date()) }
        }
    }
}

struct JobCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a queued or running job; it ends failed with error code cancelled.",
        discussion: "A queued job ends at once; a running job's container is stopped first.")

    @OptionGroup var options: APIOptions
    @Argument(help: "Job ID or ID prefix.") var job: String

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let id = try await api.jobID(for: job)
            let cancelled: Components.Schemas.Job
            switch try await api.client.cancelJob(path: .init(id: id)) {
            case .ok(let ok): cancelled = try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.CancelJob.id)
            }
            try api.emit(cancelled) { JobRendering.cancelled(cancelled) }
        }
    }
}

struct JobRequeueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requeue",
        abstract: "Put a dead-lettered job back on the queue with a fresh set of attempts (admin).")

    @OptionGroup var options: APIOptions
    @Argument(help: "Job ID or ID prefix.") var job: String

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let id = try await api.jobID(for: job)
            let requeued: Components.Schemas.Job
            switch try await api.client.requeueJob(path: .init(id: id)) {
            case .ok(let ok): requeued = try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.RequeueJob.id)
            }
            try api.emit(requeued) { JobRendering.requeued(requeued) }
        }
    }
}

struct JobStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Count jobs by state, dead letters and the queue's depth.")

    @OptionGroup var options: APIOptions

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let stats: Components.Schemas.JobStats
            switch try await api.client.getJobStats() {
            case .ok(let ok): stats = try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.GetJobStats.id)
            }
            try api.emit(stats) { JobRendering.stats(stats) }
        }
    }
}
