import Foundation
import GantryCore
import GantryEdge
import GantryPorts
import GantryServices
import HTTPTypes
import Hummingbird

/// One `<option>` of a select on the admin and account pages.
struct AdminSelectOption: Sendable {
    var value: String
    var label: String
    var selected: Bool

    static func roles(selected: String) -> [AdminSelectOption] {
        Role.allCases.map {
            AdminSelectOption(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == selected)
        }
    }
}

struct UserRowView: Sendable {
    var id: String
    var username: String
    var email: String
    var fullName: String?
    var role: String
    var roleTone: String
    var isActive: Bool
    var state: String
    var stateTone: String
    var quotaSummary: String
    var customQuota: Bool
    var created: TimeView
    var csrf: String
    var returnTo: String
}

/// The "Create user" form's values (never the password) and its field errors.
struct NewUserDraft: Sendable {
    var email = ""
    var username = ""
    var fullName = ""
    var roles = AdminSelectOption.roles(selected: Role.user.rawValue)
    var emailError: String?
    var usernameError: String?
    var passwordError: String?
    var fullNameError: String?
    var roleError: String?
}

struct UserListBody: Sendable {
    var rows: [UserRowView]
    var totalText: String
    var pagination: PaginationView?
    var draft: NewUserDraft
    var error: String?
}

/// One quota limit on the user form: empty means "the installation default".
struct QuotaFieldView: Sendable {
    var name: String
    var label: String
    var value: String
    var step: String
    var hint: String
    var fieldError: String?
}

struct UserDetailBody: Sendable {
    var user: UserRowView
    var fullNameValue: String
    var roles: [AdminSelectOption]
    var activeOptions: [AdminSelectOption]
    var quotaFields: [QuotaFieldView]
    var usage: [UsageView]
    var error: String?
    var roleError: String?
    var activeError: String?
    var fullNameError: String?
    var isSelf: Bool
}

extension Dashboard {
    static let usersPerPage = 50

    func registerAdminUsers<Context: RequestContext>(on router: Router<Context>) {
        router.get("/dashboard/admin/users") { request, _ in
            try await self.signedIn(request) { request, viewer in try await self.userList(request, viewer: viewer) }
        }
        router.post("/dashboard/admin/users") { request, context in
            try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.createUser(request, viewer: viewer, form: form)
            }
        }
        router.get("/dashboard/admin/users/{id}") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.signedIn(request) { request, viewer in
                try await self.userDetail(request, viewer: viewer, id: id)
            }
        }
        router.post("/dashboard/admin/users/{id}") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.updateUser(request, viewer: viewer, id: id, form: form)
            }
        }
        for action in ["activate", "deactivate"] {
            router.post("/dashboard/admin/users/{id}/\(action)") { request, context in
                let id = context.parameters.get("id") ?? ""
                return try await self.signedInForm(request, context: context) { request, viewer, form in
                    try await self.userActivation(action, id: id, request: request, viewer: viewer, form: form)
                }
            }
        }
    }

    /// Admin pages that only read go through a service call that requires an admin, so the
    /// rule stays in the services (a non-admin gets its `forbidden`).
    func adminGate(_ viewer: Viewer) async throws {
        _ = try await services.users.listUsers(by: viewer.principal, skip: 0, limit: 1)
    }

    // MARK: List and create

    func userList(_ request: Request, viewer: Viewer) async throws -> Response {
        try await userListPage(request, viewer: viewer, draft: NewUserDraft(), error: nil, status: .ok)
    }

    func userListPage(
        _ request: Request, viewer: Viewer, draft: NewUserDraft, error: String?, status: HTTPResponse.Status
    ) async throws -> Response {
        let page = PageNumber(request)
        let listing = try await services.users.listUsers(
            by: viewer.principal, skip: page.skip(perPage: Self.usersPerPage), limit: Self.usersPerPage)
        let returnTo = page.number > 1 ? "/dashboard/admin/users?page=\(page.number)" : "/dashboard/admin/users"
        return try self.page(
            "users", title: "Users", section: .users, viewer: viewer, request: request,
            body: UserListBody(
                rows: listing.items.map { userRow($0, viewer: viewer, returnTo: returnTo) },
                totalText: listing.total == 1 ? "1 account" : "\(listing.total) accounts",
                pagination: PaginationView(
                    page: page, perPage: Self.usersPerPage, total: listing.total, path: "/dashboard/admin/users",
                    query: [:]),
                draft: draft, error: error),
            status: status)
    }

    func userRow(_ user: User, viewer: Viewer, returnTo: String) -> UserRowView {
        let custom = user.quotaOverride != QuotaOverride()
        return UserRowView(
            id: user.id.uuidString.lowercased(), username: user.username, email: user.email,
            fullName: user.fullName.isEmpty ? nil : user.fullName, role: user.role.rawValue,
            roleTone: user.role == .admin ? "badge-info" : "badge-muted", isActive: user.isActive,
            state: user.isActive ? "active" : "inactive",
            stateTone: BadgeTone.forState(user.isActive ? "active" : "inactive"),
            quotaSummary: Self.quotaSummary(user.quotaOverride), customQuota: custom, created: TimeView(user.createdAt),
            csrf: viewer.csrf, returnTo: returnTo)
    }

    /// "Default" or the overridden limits, e.g. "10 instances · 8 CPU (others default)".
    static func quotaSummary(_ quota: QuotaOverride) -> String {
        var parts: [String] = []
        if let instances = quota.instances { parts.append("\(instances) instances") }
        if let cpu = quota.cpu { parts.append("\(DisplayFormat.cpu(cpu)) CPU") }
        if let memory = quota.memoryMB { parts.append(DisplayFormat.memory(mb: memory)) }
        if let gpus = quota.gpus { parts.append("\(gpus) GPUs") }
        if parts.isEmpty { return "Default" }
        return parts.joined(separator: " · ") + (parts.count < 4 ? " (others default)" : "")
    }

    func createUser(_ request: Request, viewer: Viewer, form: FormFields) async throws -> Response {
        var draft = NewUserDraft(
            email: form.trimmed("email") ?? "", username: form.trimmed("username") ?? "",
            fullName: form.trimmed("full_name") ?? "",
            roles: AdminSelectOption.roles(selected: form.trimmed("role") ?? Role.user.rawValue))
        do {
            guard let role = Role(rawValue: form.trimmed("role") ?? Role.user.rawValue) else {
                draft.roleError = "Choose admin or user."
                throw GantryError.invalid("role must be admin or user")
            }
            let user = try await services.users.createUser(
                NewUser(
                    email: draft.email, username: draft.username, password: form["password"] ?? "",
                    fullName: draft.fullName, role: role),
                by: viewer.principal, openSignUp: false)
            return redirect(
                to: "/dashboard/admin/users/\(user.id.uuidString.lowercased())",
                flash: Flash(kind: .success, message: "Created user \(user.username)."))
        } catch let error as GantryError where error.kind != .forbidden && error.kind != .unauthorized {
            let message = error.detail.asSentence
            switch error.code {
            case "duplicate_username": draft.usernameError = message
            case "duplicate_email": draft.emailError = message
            default:
                if draft.roleError != nil {
                } else if error.detail.hasPrefix("email") {
                    draft.emailError = message
                } else if error.detail.hasPrefix("username") {
                    draft.usernameError = message
                } else if error.detail.hasPrefix("password") {
                    draft.passwordError = message
                } else if error.detail.hasPrefix("full_name") {
                    draft.fullNameError = message
                }
            }
            return try await userListPage(
                request, viewer: viewer, draft: draft, error: message, status: ErrorMapping.status(for: error.kind))
        }
    }

    // MARK: Detail and update

    func userDetail(_ request: Request, viewer: Viewer, id: String) async throws -> Response {
        try await adminGate(viewer)
        let user = try await services.users.user(id: try Self.uuid(id, "user"), by: viewer.principal)
        let quota = user.quotaOverride
        let values: [String: String] = [
            "instances": quota.instances.map(String.init) ?? "", "cpu": quota.cpu.map(DisplayFormat.cpu) ?? "",
            "memory_mb": quota.memoryMB.map(String.init) ?? "", "gpus": quota.gpus.map(String.init) ?? "",
        ]
        return try await userDetailPage(
            request, viewer: viewer, user: user, fullName: user.fullName, role: user.role.rawValue,
            active: user.isActive, quotaValues: values, errors: [:], message: nil, status: .ok)
    }

    func userDetailPage(
        _ request: Request, viewer: Viewer, user: User, fullName: String, role: String, active: Bool,
        quotaValues: [String: String], errors: [String: String], message: String?, status: HTTPResponse.Status
    ) async throws -> Response {
        let report = try await services.users.quota(of: user.id, by: viewer.principal)
        let path = "/dashboard/admin/users/\(user.id.uuidString.lowercased())"
        let override = user.quotaOverride
        func hint(_ custom: Bool, _ effective: String) -> String {
            custom
                ? "Now \(effective) (set for this user). Leave empty to use the installation default."
                : "Now \(effective), the installation default. Leave empty to keep the default."
        }
        let fields = [
            QuotaFieldView(
                name: "instances", label: "Instances", value: quotaValues["instances"] ?? "", step: "1",
                hint: hint(override.instances != nil, "\(report.limits.instances)"), fieldError: errors["instances"]),
            QuotaFieldView(
                name: "cpu", label: "CPU (cores)", value: quotaValues["cpu"] ?? "", step: "any",
                hint: hint(override.cpu != nil, "\(DisplayFormat.cpu(report.limits.cpu)) cores"),
                fieldError: errors["cpu"]),
            QuotaFieldView(
                name: "memory_mb", label: "Memory (MB)", value: quotaValues["memory_mb"] ?? "", step: "1",
                hint: hint(
                    override.memoryMB != nil,
                    "\(report.limits.memoryMB) MB (\(DisplayFormat.memory(mb: report.limits.memoryMB)))"),
                fieldError: errors["memory_mb"]),
            QuotaFieldView(
                name: "gpus", label: "GPUs", value: quotaValues["gpus"] ?? "", step: "1",
                hint: hint(override.gpus != nil, "\(report.limits.gpus)"), fieldError: errors["gpus"]),
        ]
        return try page(
            "user", title: user.username, section: .users, viewer: viewer, request: request,
            body: UserDetailBody(
                user: userRow(user, viewer: viewer, returnTo: path), fullNameValue: fullName,
                roles: AdminSelectOption.roles(selected: role),
                activeOptions: [
                    AdminSelectOption(value: "true", label: "Active", selected: active),
                    AdminSelectOption(value: "false", label: "Inactive (cannot sign in)", selected: !active),
                ],
                quotaFields: fields, usage: Self.quotaUsage(report), error: message, roleError: errors["role"],
                activeError: errors["active"], fullNameError: errors["full_name"], isSelf: user.id == viewer.user.id),
            status: status)
    }

    func updateUser(_ request: Request, viewer: Viewer, id: String, form: FormFields) async throws -> Response {
        try await adminGate(viewer)
        let user = try await services.users.user(id: try Self.uuid(id, "user"), by: viewer.principal)
        let roleText = form.trimmed("role") ?? user.role.rawValue
        let activeText = form.trimmed("active") ?? String(user.isActive)
        let fullName = form["full_name"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? user.fullName
        var values: [String: String] = [:]
        for name in ["instances", "cpu", "memory_mb", "gpus"] { values[name] = form.trimmed(name) ?? "" }
        var errors: [String: String] = [:]
        let role = Role(rawValue: roleText)
        if role == nil { errors["role"] = "Choose admin or user." }
        let active: Bool? = activeText == "true" ? true : activeText == "false" ? false : nil
        if active == nil { errors["active"] = "Choose active or inactive." }
        func integer(_ name: String) -> Int? {
            guard let text = values[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else {
                errors[name] = "Enter a whole number, or leave empty for the default."
                return nil
            }
            return value
        }
        var cpu: Double?
        if let text = values["cpu"], !text.isEmpty {
            if let value = Double(text), value.isFinite {
                cpu = value
            } else {
                errors["cpu"] = "Enter a number of cores, or leave empty for the default."
            }
        }
        let quota = QuotaOverride(
            instances: integer("instances"), cpu: cpu, memoryMB: integer("memory_mb"), gpus: integer("gpus"))
        do {
            guard errors.isEmpty, let role, let active else {
                throw GantryError.invalid("check the highlighted fields")
            }
            let updated = try await services.users.updateUser(
                id: user.id, changes: UserChanges(isActive: active, role: role, fullName: fullName, quota: quota),
                by: viewer.principal)
            return redirect(
                to: "/dashboard/admin/users/\(updated.id.uuidString.lowercased())",
                flash: Flash(kind: .success, message: "Saved changes to \(updated.username)."))
        } catch let error as GantryError where error.kind != .forbidden && error.kind != .unauthorized {
            let detail = error.detail
            if detail.hasPrefix("quota ") {
                for name in ["instances", "cpu", "memory_mb", "gpus"] where detail.hasPrefix("quota \(name) ") {
                    errors[name] = detail.asSentence
                }
            } else if detail.hasPrefix("admins cannot") {
                errors[active == false ? "active" : "role"] = detail.asSentence
            } else if detail.hasPrefix("full_name") {
                errors["full_name"] = detail.asSentence
            }
            return try await userDetailPage(
                request, viewer: viewer, user: user, fullName: fullName, role: roleText,
                active: active ?? user.isActive,
                quotaValues: values, errors: errors, message: detail.asSentence,
                status: ErrorMapping.status(for: error.kind))
        }
    }

    // MARK: Quick activate / deactivate

    func userActivation(
        _ action: String, id: String, request: Request, viewer: Viewer, form: FormFields
    )
        async throws -> Response
    {
        try await adminGate(viewer)
        let uuid = try Self.uuid(id, "user")
        let returnTo = Self.localTarget(form["return_to"], fallback: "/dashboard/admin/users")
        let user = try await services.users.user(id: uuid, by: viewer.principal)
        let activate = action == "activate"
        if !activate, form["confirm"] != "yes" {
            return try confirmPage(
                request, viewer: viewer, section: .users,
                body: ConfirmBody(
                    heading: "Deactivate user",
                    message:
                        "Deactivate \(user.username)? They are signed out everywhere and their API keys stop working "
                        + "until an admin activates them again.",
                    action: "/dashboard/admin/users/\(id)/deactivate", confirmLabel: "Deactivate", danger: true,
                    cancelHref: returnTo, fields: [HiddenField(name: "return_to", value: returnTo)]))
        }
        _ = try await services.users.updateUser(
            id: uuid, changes: UserChanges(isActive: activate), by: viewer.principal)
        return redirect(
            to: returnTo,
            flash: Flash(
                kind: .success, message: activate ? "Activated \(user.username)." : "Deactivated \(user.username)."))
    }
}
