import Foundation
import GantryCore
import GantryEdge
import GantryPorts
import GantryServices
import HTTPTypes
import Hummingbird

/// One GPU session in the table (also rendered alone for live updates, so it carries `csrf`).
struct SessionRowView: Sendable {
    var id: String
    var name: String
    var owner: String
    var showOwner: Bool
    var gpuLabel: String
    var gpuTone: String
    var gpuDetail: String?
    var deviceUUID: String?
    var state: String
    var tone: String
    var reason: String?
    var node: String
    var image: String
    var isActive: Bool
    var expires: TimeView
    var remaining: String
    var ended: TimeView?
    var created: TimeView
    var sshCommand: String
    var csrf: String
    var returnTo: String
}

/// An `<option>` of a select.
struct OptionView: Sendable {
    var value: String
    var label: String
    var selected: Bool
}

/// The create form's values, choices and errors (kept when the form comes back with a problem).
struct SessionFormView: Sendable {
    var showUser: Bool
    var users: [OptionView]
    var profiles: [OptionView]
    var images: [OptionView]
    var ttlMinutes: String
    var name: String
    var error: String?
    var userError: String?
    var profileError: String?
    var ttlError: String?
    var imageError: String?
    var nameError: String?
}

struct SessionListBody: Sendable {
    var rows: [SessionRowView]
    var showOwner: Bool
    var pagination: PaginationView?
    var liveURL: String
    var colspan: Int
    var form: SessionFormView
    /// A failed row action (extend), shown above the table.
    var actionError: String?
}

/// What the create form posted, as typed.
struct SessionDraft: Sendable {
    var user: String
    var profile: String
    var ttlMinutes: String
    var image: String
    var name: String

    init(user: String = "", profile: String = "", ttlMinutes: String = "60", image: String = "", name: String = "") {
        self.user = user
        self.profile = profile
        self.ttlMinutes = ttlMinutes
        self.image = image
        self.name = name
    }

    init(form: FormFields) {
        self.init(
            user: form.trimmed("user") ?? "", profile: form.trimmed("mig_profile") ?? "",
            ttlMinutes: form.trimmed("ttl_minutes") ?? "", image: form.trimmed("image") ?? "",
            name: form.trimmed("name") ?? "")
    }
}

extension Dashboard {
    static let sessionsPerPage = 50
    static let sessionsPath = "/dashboard/sessions"

    func registerSessions<Context: RequestContext>(on router: Router<Context>) {
        router.get("/dashboard/sessions") { request, _ in
            try await self.signedIn(request) { request, viewer in
                try await self.sessionList(request, viewer: viewer, draft: SessionDraft(), errors: [:])
            }
        }
        router.get("/dashboard/sessions/live") { request, _ in
            try await self.signedIn(request) { request, viewer in
                let page = PageNumber(request)
                return self.live(viewer) {
                    let (rows, _) = try await self.sessionRows(viewer: viewer, page: page)
                    return .rows(
                        try rows.map {
                            LiveRow(id: $0.id, html: try self.renderer.render($0, template: "partials/session-row"))
                        },
                        empty: try self.renderer.render(
                            EmptyRowContext(colspan: viewer.isAdmin ? 8 : 7), template: "partials/session-empty"))
                }
            }
        }
        router.post("/dashboard/sessions") { request, context in
            try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.createSession(request, viewer: viewer, form: form)
            }
        }
        router.post("/dashboard/sessions/{id}/extend") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.extendSession(id: id, request: request, viewer: viewer, form: form)
            }
        }
        router.post("/dashboard/sessions/{id}/delete") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.deleteSession(id: id, request: request, viewer: viewer, form: form)
            }
        }
    }

    // MARK: List

    func sessionList(
        _ request: Request, viewer: Viewer, draft: SessionDraft, errors: [String: String], message: String? = nil,
        actionError: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let page = PageNumber(request)
        let (rows, total) = try await sessionRows(viewer: viewer, page: page)
        return try self.page(
            "sessions", title: "GPU sessions", section: .sessions, viewer: viewer, request: request,
            body: SessionListBody(
                rows: rows, showOwner: viewer.isAdmin,
                pagination: PaginationView(
                    page: page, perPage: Self.sessionsPerPage, total: total, path: Self.sessionsPath, query: [:]),
                liveURL: Self.sessionsPath + "/live" + (page.number > 1 ? "?page=\(page.number)" : ""),
                colspan: viewer.isAdmin ? 8 : 7,
                form: try await sessionForm(viewer: viewer, draft: draft, errors: errors, message: message),
                actionError: actionError),
            status: status)
    }

    func sessionRows(viewer: Viewer, page: PageNumber) async throws -> ([SessionRowView], Int) {
        let listing = try await services.sessions.list(
            by: viewer.principal, skip: page.skip(perPage: Self.sessionsPerPage), limit: Self.sessionsPerPage)
        let views = try await services.sessions.views(listing.items)
        let now = Date()
        return (views.map { sessionRow($0, viewer: viewer, now: now) }, listing.total)
    }

    func sessionRow(_ view: SessionView, viewer: Viewer, now: Date) -> SessionRowView {
        let session = view.session
        let (label, detail) = Self.gpuText(session)
        return SessionRowView(
            id: session.id.uuidString.lowercased(), name: session.name, owner: view.username,
            showOwner: viewer.isAdmin, gpuLabel: label, gpuTone: session.gpu == nil ? "badge-muted" : "badge-info",
            gpuDetail: detail, deviceUUID: session.gpu?.deviceUUID, state: session.state.rawValue,
            tone: BadgeTone.forState(session.state.rawValue), reason: session.stateReason, node: session.node,
            image: session.image, isActive: session.state.isActive, expires: TimeView(session.expiresAt),
            remaining: DisplayFormat.remaining(until: session.expiresAt, now: now),
            ended: TimeView(session.endedAt), created: TimeView(session.createdAt), sshCommand: view.sshCommand,
            csrf: viewer.csrf, returnTo: Self.sessionsPath)
    }

    /// The GPU badge text and the device it names.
    static func gpuText(_ session: GPUSession) -> (String, String?) {
        guard let gpu = session.gpu else { return ("no GPU", nil) }
        let device = "GPU \(gpu.gpuIndex) · \(gpu.gpuModel)"
        switch gpu.kind {
        case .mig: return (gpu.profile ?? session.requestedProfile, device)
        case .wholeGPU: return ("whole GPU", device)
        case .wholeGPUFallback: return ("whole GPU", "\(device) (for \(session.requestedProfile); MIG is off)")
        case .none: return ("no GPU", nil)
        }
    }

    // MARK: Create

    func sessionForm(
        viewer: Viewer, draft: SessionDraft, errors: [String: String], message: String?
    ) async throws
        -> SessionFormView
    {
        var users: [OptionView] = []
        if viewer.isAdmin {
            let chosen = draft.user.isEmpty ? viewer.user.username : draft.user
            users = try await services.users.listUsers(by: viewer.principal, skip: 0, limit: PageWindow.maximumLimit)
                .items.filter(\.isActive).sorted { $0.username < $1.username }
                .map {
                    OptionView(
                        value: $0.username,
                        label: $0.fullName.isEmpty ? $0.username : "\($0.username) (\($0.fullName))",
                        selected: $0.username == chosen || $0.id.uuidString.lowercased() == chosen.lowercased())
                }
        }
        let availability = try await services.gpus.profiles()
        let chosenProfile: String
        if !draft.profile.isEmpty {
            chosenProfile = draft.profile.lowercased()
        } else if let free = availability.profiles.first(where: { $0.free > 0 }) {
            chosenProfile = free.profile.name
        } else {
            chosenProfile = availability.wholeGPUsFree > 0 ? "full" : "none"
        }
        var profiles = availability.profiles.map { row in
            OptionView(
                value: row.profile.name,
                label: "\(row.profile.name) — \(row.free) of \(row.total) free "
                    + "(\(row.profile.computeSlices)/\(row.profile.totalSlices) GPU, \(row.profile.memoryGB) GB)",
                selected: row.profile.name == chosenProfile)
        }
        profiles.append(
            OptionView(
                value: "full",
                label: "full — whole GPU, \(availability.wholeGPUsFree) of \(availability.wholeGPUsTotal) free",
                selected: chosenProfile == "full" || chosenProfile == "whole"))
        profiles.append(OptionView(value: "none", label: "none — no GPU", selected: chosenProfile == "none"))
        let catalog = try await services.images.list(skip: 0, limit: PageWindow.maximumLimit).items
        var images = [OptionView(value: "", label: "Default session image", selected: draft.image.isEmpty)]
        images += catalog.map {
            OptionView(
                value: $0.name, label: "\($0.displayName) (\($0.reference))", selected: $0.name == draft.image)
        }
        if !draft.image.isEmpty, !catalog.contains(where: { $0.name == draft.image }) {
            images.append(OptionView(value: draft.image, label: draft.image, selected: true))
        }
        return SessionFormView(
            showUser: viewer.isAdmin, users: users, profiles: profiles, images: images, ttlMinutes: draft.ttlMinutes,
            name: draft.name, error: message, userError: errors["user"], profileError: errors["mig_profile"],
            ttlError: errors["ttl_minutes"], imageError: errors["image"], nameError: errors["name"])
    }

    func createSession(_ request: Request, viewer: Viewer, form: FormFields) async throws -> Response {
        let draft = SessionDraft(form: form)
        do {
            guard let ttl = Int(draft.ttlMinutes) else {
                throw GantryError.invalid("ttl_minutes must be a whole number")
            }
            let session = try await services.sessions.create(
                SessionRequest(
                    user: draft.user.isEmpty ? nil : draft.user,
                    migProfile: draft.profile.isEmpty ? "none" : draft.profile,
                    ttlMinutes: ttl, image: draft.image.isEmpty ? nil : draft.image,
                    name: draft.name.isEmpty ? nil : draft.name),
                by: viewer.principal)
            let view = try await services.sessions.view(session)
            return redirect(
                to: Self.sessionsPath,
                flash: Flash(
                    kind: .success,
                    message: "Session \(session.name) for \(view.username) is \(session.state.rawValue) on "
                        + "\(session.node). Connect with: \(view.sshCommand)"))
        } catch let error as GantryError {
            return try await sessionList(
                request, viewer: viewer, draft: draft, errors: Self.sessionFieldErrors(error),
                message: Self.sessionMessage(error), status: ErrorMapping.status(for: error.kind))
        }
    }

    /// Which field an error is about, so the form can point at it.
    static func sessionFieldErrors(_ error: GantryError) -> [String: String] {
        let detail = sessionMessage(error)
        let field: String? =
            switch error.code {
            case "gpu_unavailable": "mig_profile"
            case "unknown_image": "image"
            case "duplicate_name": "name"
            case "not_found": "user"
            default:
                if error.detail.hasPrefix("ttl_minutes") {
                    "ttl_minutes"
                } else if error.detail.hasPrefix("mig_profile") {
                    "mig_profile"
                } else if error.detail.hasPrefix("name") {
                    "name"
                } else {
                    error.detail.contains("user") ? "user" : nil
                }
            }
        guard let field else { return [:] }
        return [field: detail]
    }

    /// The service's message with its API field names in words people see on the form.
    static func sessionMessage(_ error: GantryError, capitalized: Bool = true) -> String {
        var text = error.detail
        for (field, words) in [
            ("ttl_minutes", "the time to live (minutes)"), ("extend_minutes", "the minutes to add"),
            ("mig_profile", "the GPU profile"),
        ] {
            text = text.replacingOccurrences(of: field, with: words)
        }
        // A duplicate name's message opens with the username, which keeps its case.
        return capitalized && error.code != "duplicate_name" ? text.capitalizedFirst : text
    }

    // MARK: Row actions

    func extendSession(id: String, request: Request, viewer: Viewer, form: FormFields) async throws -> Response {
        let returnTo = Self.localTarget(form["return_to"], fallback: Self.sessionsPath)
        do {
            guard let minutes = form.trimmed("extend_minutes").flatMap({ Int($0) }) else {
                throw GantryError.invalid("extend_minutes must be a whole number")
            }
            let session = try await services.sessions.updateTTL(
                id, ttlMinutes: nil, extendMinutes: minutes, by: viewer.principal)
            return redirect(
                to: returnTo,
                flash: Flash(
                    kind: .success,
                    message: "Extended \(session.name) by \(minutes) min; it now ends at "
                        + "\(DisplayFormat.timestamp(session.expiresAt))."))
        } catch let error as GantryError where error.kind != .notFound {
            return try await sessionList(
                request, viewer: viewer, draft: SessionDraft(), errors: [:],
                actionError: "Could not extend the session: \(Self.sessionMessage(error, capitalized: false))",
                status: ErrorMapping.status(for: error.kind))
        }
    }

    func deleteSession(id: String, request: Request, viewer: Viewer, form: FormFields) async throws -> Response {
        let returnTo = Self.localTarget(form["return_to"], fallback: Self.sessionsPath)
        let session = try await services.sessions.session(id, by: viewer.principal)
        guard form["confirm"] == "yes" else {
            return try confirmPage(
                request, viewer: viewer, section: .sessions,
                body: ConfirmBody(
                    heading: "Delete session",
                    message: "Delete \(session.name)? Its container is removed and its GPU freed; /workspace is kept.",
                    action: "/dashboard/sessions/\(session.id.uuidString.lowercased())/delete",
                    confirmLabel: "Delete", danger: true, cancelHref: returnTo,
                    fields: [HiddenField(name: "return_to", value: returnTo)]))
        }
        let ended = try await services.sessions.delete(id, by: viewer.principal)
        return redirect(
            to: returnTo,
            flash: Flash(kind: .success, message: "Session \(ended.name) is \(ended.state.rawValue)."))
    }
}
