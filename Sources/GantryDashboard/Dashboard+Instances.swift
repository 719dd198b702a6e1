import Foundation
import GantryCore
import GantryEdge
import GantryPorts
import GantryServices
import Hummingbird
import Mustache

struct InstanceRowView: Sendable {
    var id: String
    var name: String
    var image: String
    var state: String
    var tone: String
    var reason: String?
    var node: String
    var endpoint: String?
    var endpointText: String?
    var created: TimeView
    var owner: String?
    /// Admins' tables have an owner column.
    var showOwner: Bool
    var canStop: Bool
    var canStart: Bool
    var canTerminate: Bool
    var csrf: String
    var returnTo: String
    var cpu: String
    var memory: String
    var gpuText: String?
}

struct InstanceListBody: Sendable {
    var rows: [InstanceRowView]
    var showOwner: Bool
    var pagination: PaginationView?
    var liveURL: String
    var colspan: Int
}

struct InstanceDetailBody: Sendable {
    var instance: InstanceRowView
    var logs: String?
    var logsError: String?
    var liveURL: String
}

struct ConfirmBody: Sendable {
    var heading: String
    var message: String
    var action: String
    var confirmLabel: String
    var danger: Bool
    var cancelHref: String
    var fields: [HiddenField]
}

struct HiddenField: Sendable {
    var name: String
    var value: String
}

extension Dashboard {
    static let instancesPerPage = 100

    func registerInstances<Context: RequestContext>(on router: Router<Context>) {
        router.get("/dashboard/instances") { request, _ in
            try await self.signedIn(request) { request, viewer in try await self.instanceList(request, viewer: viewer) }
        }
        router.get("/dashboard/instances/live") { request, _ in
            try await self.signedIn(request) { request, viewer in
                let page = PageNumber(request)
                return self.live(viewer) {
                    let (rows, showOwner, _) = try await self.instanceRows(
                        viewer: viewer, page: page, returnTo: "/dashboard/instances")
                    return .rows(
                        try rows.map {
                            LiveRow(id: $0.id, html: try self.renderer.render($0, template: "partials/instance-row"))
                        },
                        empty: try self.renderer.render(
                            EmptyRowContext(colspan: showOwner ? 8 : 7), template: "partials/instance-empty"))
                }
            }
        }
        router.get("/dashboard/instances/{id}") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.signedIn(request) { request, viewer in
                try await self.instanceDetail(request, viewer: viewer, id: id)
            }
        }
        router.get("/dashboard/instances/{id}/live") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.signedIn(request) { _, viewer in
                let uuid = try Self.uuid(id, "instance")
                // Look the instance up before the stream starts, so an id the viewer may not see is a 404
                // like the page, not a 200 stream that reports the error later.
                _ = try await self.services.instances.instance(id: uuid, by: viewer.principal)
                return self.live(viewer) {
                    let instance = try await self.services.instances.instance(id: uuid, by: viewer.principal)
                    let row = self.instanceRow(
                        instance, viewer: viewer, owners: [:], returnTo: "/dashboard/instances/\(id)")
                    return .replace(
                        try self.renderer.render(row, template: "partials/instance-summary"),
                        terminal: instance.state == .terminated)
                }
            }
        }
        for action in ["stop", "start", "terminate"] {
            router.post("/dashboard/instances/{id}/\(action)") { request, context in
                let id = context.parameters.get("id") ?? ""
                return try await self.signedInForm(request, context: context) { request, viewer, form in
                    try await self.instanceAction(action, id: id, request: request, viewer: viewer, form: form)
                }
            }
        }
    }

    struct EmptyRowContext: Sendable { var colspan: Int }

    func instanceList(_ request: Request, viewer: Viewer) async throws -> Response {
        let page = PageNumber(request)
        let (rows, showOwner, total) = try await instanceRows(
            viewer: viewer, page: page, returnTo: "/dashboard/instances")
        return try self.page(
            "instances", title: "Instances", section: .instances, viewer: viewer, request: request,
            body: InstanceListBody(
                rows: rows, showOwner: showOwner,
                pagination: PaginationView(
                    page: page, perPage: Self.instancesPerPage, total: total, path: "/dashboard/instances", query: [:]),
                liveURL: "/dashboard/instances/live" + (page.number > 1 ? "?page=\(page.number)" : ""),
                colspan: showOwner ? 8 : 7))
    }

    func instanceRows(viewer: Viewer, page: PageNumber, returnTo: String) async throws -> ([InstanceRowView], Bool, Int)
    {
        let listing = try await services.instances.list(
            by: viewer.principal, skip: page.skip(perPage: Self.instancesPerPage), limit: Self.instancesPerPage)
        let owners = viewer.isAdmin ? try await usernames(viewer) : [:]
        return (
            listing.items.map { instanceRow($0, viewer: viewer, owners: owners, returnTo: returnTo) }, viewer.isAdmin,
            listing.total
        )
    }

    /// Usernames by id, for admins' tables that show whose a resource is.
    func usernames(_ viewer: Viewer) async throws -> [UUID: String] {
        guard viewer.isAdmin else { return [viewer.user.id: viewer.user.username] }
        let users = try await services.users.listUsers(by: viewer.principal, skip: 0, limit: PageWindow.maximumLimit)
        return Dictionary(users.items.map { ($0.id, $0.username) }, uniquingKeysWith: { first, _ in first })
    }

    func instanceRow(_ instance: Instance, viewer: Viewer, owners: [UUID: String], returnTo: String) -> InstanceRowView
    {
        let endpoint = instance.state == .running ? instance.endpoint : nil
        return InstanceRowView(
            id: instance.id.uuidString.lowercased(), name: instance.name, image: instance.image,
            state: instance.state.rawValue, tone: BadgeTone.forState(instance.state.rawValue),
            reason: instance.stateReason, node: instance.node, endpoint: endpoint,
            endpointText: endpoint.map { String($0.dropFirst("http://".count)) },
            created: TimeView(instance.createdAt), owner: owners[instance.ownerID], showOwner: viewer.isAdmin,
            canStop: instance.state == .running || instance.state == .pending,
            canStart: instance.state == .stopped,
            canTerminate: instance.state != .terminated && instance.state != .terminating,
            csrf: viewer.csrf, returnTo: returnTo, cpu: DisplayFormat.cpu(instance.cpu),
            memory: DisplayFormat.memory(mb: instance.memoryMB),
            gpuText: instance.gpus > 0 ? "\(instance.gpus) GPU" : nil)
    }

    func instanceDetail(_ request: Request, viewer: Viewer, id: String) async throws -> Response {
        let instance = try await services.instances.instance(id: try Self.uuid(id, "instance"), by: viewer.principal)
        var logs: String?
        var logsError: String?
        if instance.containerID != nil && instance.state != .terminated {
            do {
                let text = try await services.instances.logs(id: instance.id, tail: 200, by: viewer.principal)
                logs = text.isEmpty ? nil : text
            } catch {
                logsError = ErrorMapping.gantryError(for: error).0.detail
            }
        }
        let owners = viewer.isAdmin ? try await usernames(viewer) : [:]
        let path = "/dashboard/instances/\(instance.id.uuidString.lowercased())"
        return try page(
            "instance", title: instance.name, section: .instances, viewer: viewer, request: request,
            body: InstanceDetailBody(
                instance: instanceRow(instance, viewer: viewer, owners: owners, returnTo: path),
                logs: logs, logsError: logsError, liveURL: path + "/live"))
    }

    func instanceAction(
        _ action: String, id: String, request: Request, viewer: Viewer, form: FormFields
    ) async throws
        -> Response
    {
        let uuid = try Self.uuid(id, "instance")
        let returnTo = Self.localTarget(form["return_to"], fallback: "/dashboard/instances")
        let instance = try await services.instances.instance(id: uuid, by: viewer.principal)
        guard form["confirm"] == "yes" else {
            let (message, label, danger): (String, String, Bool) =
                switch action {
                case "terminate": ("Terminate \(instance.name)? Its container is deleted for good.", "Terminate", true)
                case "stop":
                    ("Stop \(instance.name)? Its endpoint stops answering until it is started again.", "Stop", false)
                default: ("Start \(instance.name) again?", "Start", false)
                }
            return try confirmPage(
                request, viewer: viewer, section: .instances,
                body: ConfirmBody(
                    heading: "\(label) instance", message: message, action: "/dashboard/instances/\(id)/\(action)",
                    confirmLabel: label, danger: danger, cancelHref: returnTo,
                    fields: [HiddenField(name: "return_to", value: returnTo)]))
        }
        let flash: String
        switch action {
        case "stop":
            _ = try await services.instances.stop(id: uuid, by: viewer.principal)
            flash = "Stopping \(instance.name)."
        case "start":
            _ = try await services.instances.start(id: uuid, by: viewer.principal)
            flash = "Starting \(instance.name)."
        default:
            _ = try await services.instances.terminate(id: uuid, by: viewer.principal)
            flash = "Terminating \(instance.name)."
        }
        return redirect(to: returnTo, flash: Flash(kind: .success, message: flash))
    }

    /// The no-JavaScript confirmation step: the same form again, with `confirm=yes`.
    func confirmPage(
        _ request: Request, viewer: Viewer, section: DashboardSection, body: ConfirmBody
    ) throws -> Response {
        try page("confirm", title: body.heading, section: section, viewer: viewer, request: request, body: body)
    }

    static func uuid(_ text: String, _ what: String) throws -> UUID {
        guard let uuid = UUID(uuidString: text) else { throw GantryError.notFound(what) }
        return uuid
    }

    static func localTarget(_ raw: String?, fallback: String) -> String {
        guard let raw, SafeRedirect.isLocal(raw) else { return fallback }
        return raw
    }
}

// A page holds up to a hundred rows: answering the template's lookups directly keeps the
// instances page well inside its render budget (see `gantry-bench dashboard-render`).
extension InstanceRowView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "name": self.name
        case "image": image
        case "state": state
        case "tone": tone
        case "reason": reason
        case "node": node
        case "endpoint": endpoint
        case "endpointText": endpointText
        case "created": created
        case "owner": owner
        case "showOwner": showOwner
        case "canStop": canStop
        case "canStart": canStart
        case "canTerminate": canTerminate
        case "csrf": csrf
        case "returnTo": returnTo
        case "cpu": cpu
        case "memory": memory
        case "gpuText": gpuText
        default: nil
        }
    }

}

extension TimeView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "iso": iso
        case "text": text
        default: nil
        }
    }
}
