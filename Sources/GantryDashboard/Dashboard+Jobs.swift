import Foundation
import GantryCore
import GantryEdge
import GantryPorts
import GantryServices
import HTTPTypes
import Hummingbird

/// A `<progress>` bar: `value` is nil while the plugin has reported nothing (indeterminate).
struct JobProgressView: Sendable {
    var value: String?
    var text: String
}

struct JobRowView: Sendable {
    var id: String
    var shortID: String
    var plugin: String
    var version: String
    var status: String
    var tone: String
    var deadLettered: Bool
    var cancelRequested: Bool
    var progress: JobProgressView?
    var attempts: String
    var owner: String?
    var showOwner: Bool
    var created: TimeView
    var canCancel: Bool
    var canRequeue: Bool
    var csrf: String
    var returnTo: String
}

struct JobAttemptView: Sendable {
    var attempt: Int
    var started: TimeView
    var ended: TimeView?
    var exitCode: String?
    /// Not `errorCode`: a nil value would make the template climb to the job's own.
    var attemptErrorCode: String?
    var attemptError: String?
}

/// The live panel of the job page: everything that changes while the job runs.
struct JobPanelView: Sendable {
    var job: JobRowView
    var errorCode: String?
    var errorMessage: String?
    var hasError: Bool
    var result: String?
    var isCompleted: Bool
    var history: [JobAttemptView]
    var started: TimeView?
    var completed: TimeView?
    var updated: TimeView
    var nextAttempt: TimeView?
    var isTerminal: Bool
}

struct JobDetailBody: Sendable {
    var panel: JobPanelView
    var id: String
    var plugin: String
    var pluginHref: String
    var input: String
    var liveURL: String
}

struct JobFilterOption: Sendable {
    var value: String
    var label: String
    var selected: Bool
}

struct JobListBody: Sendable {
    var rows: [JobRowView]
    var showOwner: Bool
    var statusOptions: [JobFilterOption]
    var pluginOptions: [JobFilterOption]
    var isFiltered: Bool
    var isDead: Bool
    var pagination: PaginationView?
    var liveURL: String
    var colspan: Int
}

struct JobEmptyContext: Sendable {
    var colspan: Int
    var isFiltered: Bool
}

struct JobPluginChoice: Sendable {
    var name: String
    var version: String
    var selected: Bool
}

struct JobNewBody: Sendable {
    var plugin: String?
    var version: String?
    var description: String?
    var pluginHref: String?
    var fields: [SchemaFormField]
    var hasFields: Bool
    var rawJSON: String
    var rawError: String?
    var error: String?
    var choices: [JobPluginChoice]
    var hasChoices: Bool
}

/// The query of the jobs list: `status` (one of JobStatus or "dead"), `plugin` and `page`.
struct JobListQuery: Sendable {
    var status: String
    var plugin: String
    var page: PageNumber

    init(_ request: Request) {
        func value(_ key: String) -> String {
            request.uri.queryParameters[Substring(key)].map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        }
        let status = value("status")
        self.status = status == "dead" || JobStatus(rawValue: status) != nil ? status : ""
        plugin = value("plugin")
        page = PageNumber(request)
    }

    var filters: [String: String] { ["status": status, "plugin": plugin] }

    var queryString: String {
        var items = filters.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if page.number > 1 { items.append(("page", String(page.number))) }
        return items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? "")" }
            .joined(separator: "&")
    }
}

extension Dashboard {
    static let jobsPerPage = 50

    func registerJobs<Context: RequestContext>(on router: Router<Context>) {
        router.get("/dashboard/jobs") { request, _ in
            try await self.signedIn(request) { request, viewer in try await self.jobList(request, viewer: viewer) }
        }
        router.get("/dashboard/jobs/live") { request, _ in
            try await self.signedIn(request) { request, viewer in
                let query = JobListQuery(request)
                return self.live(viewer) {
                    let (rows, _) = try await self.jobRows(query: query, viewer: viewer)
                    return .rows(
                        try rows.map {
                            LiveRow(id: $0.id, html: try self.renderer.render($0, template: "partials/job-row"))
                        },
                        empty: try self.renderer.render(
                            JobEmptyContext(colspan: Self.jobColumns(viewer), isFiltered: query.isFiltered),
                            template: "partials/job-empty"))
                }
            }
        }
        router.get("/dashboard/jobs/new") { request, _ in
            try await self.signedIn(request) { request, viewer in try await self.newJob(request, viewer: viewer) }
        }
        router.post("/dashboard/jobs") { request, context in
            try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.submitJob(request, viewer: viewer, form: form)
            }
        }
        router.get("/dashboard/jobs/{id}") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.signedIn(request) { request, viewer in
                try await self.jobDetail(request, viewer: viewer, id: id)
            }
        }
        router.get("/dashboard/jobs/{id}/live") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.signedIn(request) { _, viewer in
                let uuid = try Self.uuid(id, "job")
                _ = try await self.services.jobs.job(id: uuid, by: viewer.principal)
                let owners = viewer.isAdmin ? try await self.usernames(viewer) : [:]
                return self.live(viewer) {
                    let job = try await self.services.jobs.job(id: uuid, by: viewer.principal)
                    let panel = self.jobPanel(job, viewer: viewer, owners: owners)
                    return .replace(
                        try self.renderer.render(panel, template: "partials/job-panel"),
                        terminal: job.status.isTerminal)
                }
            }
        }
        for action in ["cancel", "requeue"] {
            router.post("/dashboard/jobs/{id}/\(action)") { request, context in
                let id = context.parameters.get("id") ?? ""
                return try await self.signedInForm(request, context: context) { request, viewer, form in
                    try await self.jobAction(action, id: id, request: request, viewer: viewer, form: form)
                }
            }
        }
    }

    static func jobColumns(_ viewer: Viewer) -> Int { viewer.isAdmin ? 8 : 7 }

    // MARK: List

    func jobList(_ request: Request, viewer: Viewer) async throws -> Response {
        let query = JobListQuery(request)
        let (rows, total) = try await jobRows(query: query, viewer: viewer)
        let plugins = try await services.plugins.list(nameContaining: nil, skip: 0, limit: PageWindow.maximumLimit)
        var pluginNames = plugins.items.map(\.name)
        if !query.plugin.isEmpty, !pluginNames.contains(query.plugin) { pluginNames.append(query.plugin) }
        let statuses =
            [("", "Any status")] + JobStatus.allCases.map { ($0.rawValue, $0.rawValue.capitalizedFirst) }
            + (viewer.isAdmin ? [("dead", "Dead letters")] : [])
        let live = "/dashboard/jobs/live" + (query.queryString.isEmpty ? "" : "?" + query.queryString)
        return try page(
            "jobs", title: "Jobs", section: .jobs, viewer: viewer, request: request,
            body: JobListBody(
                rows: rows, showOwner: viewer.isAdmin,
                statusOptions: statuses.map {
                    JobFilterOption(value: $0.0, label: $0.1, selected: $0.0 == query.status)
                },
                pluginOptions: [JobFilterOption(value: "", label: "Any plugin", selected: query.plugin.isEmpty)]
                    + pluginNames.sorted().map {
                        JobFilterOption(value: $0, label: $0, selected: $0 == query.plugin)
                    },
                isFiltered: query.isFiltered, isDead: query.status == "dead",
                pagination: PaginationView(
                    page: query.page, perPage: Self.jobsPerPage, total: total, path: "/dashboard/jobs",
                    query: query.filters),
                liveURL: live, colspan: Self.jobColumns(viewer)))
    }

    func jobRows(query: JobListQuery, viewer: Viewer) async throws -> ([JobRowView], Int) {
        let skip = query.page.skip(perPage: Self.jobsPerPage)
        let plugin = query.plugin.isEmpty ? nil : query.plugin
        let listing: Page<Job>
        if query.status == "dead" {
            listing = try await services.jobs.deadLetters(
                by: viewer.principal, pluginName: plugin, skip: skip, limit: Self.jobsPerPage)
        } else {
            listing = try await services.jobs.list(
                by: viewer.principal, status: JobStatus(rawValue: query.status), pluginName: plugin, skip: skip,
                limit: Self.jobsPerPage)
        }
        let owners = viewer.isAdmin ? try await usernames(viewer) : [:]
        let returnTo = "/dashboard/jobs" + (query.queryString.isEmpty ? "" : "?" + query.queryString)
        return (listing.items.map { jobRow($0, viewer: viewer, owners: owners, returnTo: returnTo) }, listing.total)
    }

    func jobRow(_ job: Job, viewer: Viewer, owners: [UUID: String], returnTo: String) -> JobRowView {
        let id = job.id.uuidString.lowercased()
        var progress: JobProgressView?
        if job.status == .processing {
            progress = JobProgressView(
                value: job.progress.map { String(min(1, max(0, $0))) },
                text: job.progress.map { DisplayFormat.percent($0) } ?? "running")
        }
        return JobRowView(
            id: id, shortID: String(id.prefix(8)), plugin: job.pluginName, version: job.pluginVersion,
            status: job.status.rawValue, tone: BadgeTone.forState(job.status.rawValue),
            deadLettered: job.deadLettered, cancelRequested: job.cancelRequested && !job.status.isTerminal,
            progress: progress, attempts: "\(job.attempts) / \(job.maxAttempts)", owner: owners[job.ownerID],
            showOwner: viewer.isAdmin, created: TimeView(job.createdAt),
            canCancel: !job.status.isTerminal && !job.cancelRequested,
            canRequeue: viewer.isAdmin && job.deadLettered, csrf: viewer.csrf, returnTo: returnTo)
    }

    // MARK: Detail

    func jobDetail(_ request: Request, viewer: Viewer, id: String) async throws -> Response {
        let job = try await services.jobs.job(id: try Self.uuid(id, "job"), by: viewer.principal)
        let owners = viewer.isAdmin ? try await usernames(viewer) : [:]
        let path = "/dashboard/jobs/\(job.id.uuidString.lowercased())"
        let panel = jobPanel(job, viewer: viewer, owners: owners)
        return try page(
            "job", title: "Job \(panel.job.shortID)", section: .jobs, viewer: viewer, request: request,
            body: JobDetailBody(
                panel: panel, id: panel.job.id, plugin: job.pluginName,
                pluginHref: "/dashboard/plugins/" + Self.pathSegment(job.pluginName),
                input: SchemaForm.prettyJSON(job.input), liveURL: path + "/live"))
    }

    func jobPanel(_ job: Job, viewer: Viewer, owners: [UUID: String]) -> JobPanelView {
        let path = "/dashboard/jobs/\(job.id.uuidString.lowercased())"
        let hasError = job.errorCode != nil || job.errorMessage != nil
        return JobPanelView(
            job: jobRow(job, viewer: viewer, owners: owners, returnTo: path),
            errorCode: job.errorCode, errorMessage: job.errorMessage, hasError: hasError,
            result: job.result.map(SchemaForm.prettyJSON), isCompleted: job.status == .completed,
            history: job.history.map {
                JobAttemptView(
                    attempt: $0.attempt, started: TimeView($0.startedAt), ended: TimeView($0.endedAt),
                    exitCode: $0.exitCode.map(String.init), attemptErrorCode: $0.errorCode, attemptError: $0.error)
            },
            started: TimeView(job.startedAt), completed: TimeView(job.completedAt), updated: TimeView(job.updatedAt),
            nextAttempt: job.status == .queued ? TimeView(job.runAt) : nil, isTerminal: job.status.isTerminal)
    }

    // MARK: Actions

    func jobAction(
        _ action: String, id: String, request: Request, viewer: Viewer, form: FormFields
    ) async throws
        -> Response
    {
        let uuid = try Self.uuid(id, "job")
        let returnTo = Self.localTarget(form["return_to"], fallback: "/dashboard/jobs/\(uuid.uuidString.lowercased())")
        let job = try await services.jobs.job(id: uuid, by: viewer.principal)
        let short = String(job.id.uuidString.lowercased().prefix(8))
        guard form["confirm"] == "yes" else {
            let (heading, message, label, danger): (String, String, String, Bool) =
                action == "cancel"
                ? (
                    "Cancel job", "Cancel job \(short) (\(job.pluginName))? It fails with the code cancelled.",
                    "Cancel job", true
                )
                : (
                    "Requeue job", "Requeue job \(short) (\(job.pluginName)) with a fresh set of attempts?", "Requeue",
                    false
                )
            return try confirmPage(
                request, viewer: viewer, section: .jobs,
                body: ConfirmBody(
                    heading: heading, message: message, action: "/dashboard/jobs/\(id)/\(action)",
                    confirmLabel: label, danger: danger, cancelHref: returnTo,
                    fields: [HiddenField(name: "return_to", value: returnTo)]))
        }
        if action == "cancel" {
            let updated = try await services.jobs.cancel(id: uuid, by: viewer.principal)
            let message =
                updated.status.isTerminal ? "Job \(short) was cancelled." : "Job \(short) is being stopped."
            return redirect(to: returnTo, flash: Flash(kind: .success, message: message))
        }
        _ = try await services.jobs.requeue(id: uuid, by: viewer.principal)
        return redirect(to: returnTo, flash: Flash(kind: .success, message: "Job \(short) is queued again."))
    }

    // MARK: Submit

    func newJob(_ request: Request, viewer: Viewer) async throws -> Response {
        let name = request.uri.queryParameters["plugin"].map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        guard !name.isEmpty else {
            let plugins = try await services.plugins.list(nameContaining: nil, skip: 0, limit: PageWindow.maximumLimit)
            let choices = plugins.items.map { JobPluginChoice(name: $0.name, version: $0.version, selected: false) }
            return try page(
                "job-new", title: "Submit a job", section: .jobs, viewer: viewer, request: request,
                body: JobNewBody(
                    plugin: nil, version: nil, description: nil, pluginHref: nil, fields: [], hasFields: false,
                    rawJSON: "", rawError: nil, error: nil, choices: choices, hasChoices: !choices.isEmpty))
        }
        let plugin = try await services.plugins.plugin(name: name)
        let properties = SchemaForm.properties(of: plugin.inputSchema)
        return try page(
            "job-new", title: "Submit a job", section: .jobs, viewer: viewer, request: request,
            body: jobNewBody(plugin, fields: SchemaForm.fields(for: properties, values: nil), rawJSON: ""))
    }

    func jobNewBody(
        _ plugin: Plugin, fields: [SchemaFormField], rawJSON: String, rawError: String? = nil, error: String? = nil
    ) -> JobNewBody {
        JobNewBody(
            plugin: plugin.name, version: plugin.version,
            description: plugin.description.isEmpty ? nil : plugin.description,
            pluginHref: "/dashboard/plugins/" + Self.pathSegment(plugin.name), fields: fields,
            hasFields: !fields.isEmpty, rawJSON: rawJSON, rawError: rawError, error: error, choices: [],
            hasChoices: false)
    }

    func submitJob(_ request: Request, viewer: Viewer, form: FormFields) async throws -> Response {
        let plugin = try await services.plugins.plugin(name: form.trimmed("plugin") ?? "")
        let properties = SchemaForm.properties(of: plugin.inputSchema)
        let values = SchemaForm.submittedValues(properties, form: form)
        let raw = form[SchemaForm.rawJSONField] ?? ""
        func rerender(
            status: HTTPResponse.Status, message: String, fieldErrors: [String: String] = [:], rawError: String? = nil
        ) throws -> Response {
            try page(
                "job-new", title: "Submit a job", section: .jobs, viewer: viewer, request: request,
                body: jobNewBody(
                    plugin, fields: SchemaForm.fields(for: properties, values: values, errors: fieldErrors),
                    rawJSON: raw, rawError: rawError, error: message),
                status: status)
        }
        let input: JSONValue
        if !raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            do {
                input = try JSONValue(parsing: raw)
            } catch {
                let detail = "The raw JSON is not valid: " + SchemaForm.sentence(error.description)
                return try rerender(status: .badRequest, message: detail, rawError: detail)
            }
        } else {
            let (converted, errors) = SchemaForm.input(properties, values: values)
            guard let converted else {
                return try rerender(status: .badRequest, message: "Check the highlighted fields.", fieldErrors: errors)
            }
            input = converted
        }
        do {
            let job = try await services.jobs.submit(pluginName: plugin.name, input: input, by: viewer.principal)
            return redirect(
                to: "/dashboard/jobs/\(job.id.uuidString.lowercased())",
                flash: Flash(kind: .success, message: "Job queued on \(plugin.name) \(plugin.version)."))
        } catch let error as GantryError {
            return try rerender(status: ErrorMapping.status(for: error.kind), message: error.detail)
        }
    }

    /// A name as one URL path segment.
    static func pathSegment(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? name
    }
}

extension JobListQuery {
    var isFiltered: Bool { !status.isEmpty || !plugin.isEmpty }
}
