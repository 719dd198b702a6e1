import Foundation
import GantryCore
import GantryEdge
import GantryServices
import HTTPTypes
import Hummingbird

struct APIKeyRowView: Sendable {
    var id: String
    var name: String
    var prefix: String
    var created: TimeView
    var lastUsed: TimeView?
    var csrf: String
}

struct SSHKeyRowView: Sendable {
    var id: String
    var name: String
    var type: String
    var fingerprint: String
    var created: TimeView
    var lastUsed: TimeView?
    var csrf: String
}

/// A key just created: its token is on this one response and nowhere else.
struct NewAPIKeyView: Sendable {
    var name: String
    var token: String
}

struct AccountBody: Sendable {
    var username: String
    var email: String
    var fullName: String?
    var role: String
    var roleTone: String
    var quota: [UsageView]
    var apiKeys: [APIKeyRowView]
    var newKey: NewAPIKeyView?
    var keyName: String
    var keyError: String?
    var sshKeys: [SSHKeyRowView]
    var sshName: String
    var sshPublicKey: String
    var sshKeyError: String?
    var sshNameError: String?
    /// Why the last form on the page did not go through, shown at the top.
    var error: String?
}

extension String {
    /// A service's error detail as a sentence: "quota cpu must…" reads "Quota cpu must…", while
    /// details that start with an identifier (`public_key`, `ssh-rsa`) keep its spelling.
    var asSentence: String {
        let first = prefix { !$0.isWhitespace }
        return first.allSatisfy(\.isLetter) ? prefix(1).uppercased() + dropFirst() : self
    }
}

extension Dashboard {
    func registerAccount<Context: RequestContext>(on router: Router<Context>) {
        router.get("/dashboard/account") { request, _ in
            try await self.signedIn(request) { request, viewer in
                try await self.accountPage(request, viewer: viewer, edit: { _ in })
            }
        }
        router.post("/dashboard/account/api-keys") { request, context in
            try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.createAPIKey(request, viewer: viewer, form: form)
            }
        }
        router.post("/dashboard/account/api-keys/{id}/delete") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.revokeAPIKey(id: id, request: request, viewer: viewer, form: form)
            }
        }
        router.post("/dashboard/account/ssh-keys") { request, context in
            try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.addSSHKey(request, viewer: viewer, form: form)
            }
        }
        router.post("/dashboard/account/ssh-keys/{id}/delete") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.deleteSSHKey(id: id, request: request, viewer: viewer, form: form)
            }
        }
    }

    func accountPage(
        _ request: Request, viewer: Viewer, status: HTTPResponse.Status = .ok, edit: (inout AccountBody) -> Void
    ) async throws -> Response {
        let principal = viewer.principal
        async let report = services.users.quota(of: principal.id, by: principal)
        async let keys = services.users.apiKeys(by: principal)
        async let sshKeys = services.sshKeys.list(by: principal)
        let user = viewer.user
        var body = AccountBody(
            username: user.username, email: user.email, fullName: user.fullName.isEmpty ? nil : user.fullName,
            role: user.role.rawValue, roleTone: user.role == .admin ? "badge-info" : "badge-muted",
            quota: Self.quotaUsage(try await report),
            apiKeys: try await keys.map {
                APIKeyRowView(
                    id: $0.id.uuidString.lowercased(), name: $0.name, prefix: $0.prefix,
                    created: TimeView($0.createdAt),
                    lastUsed: TimeView($0.lastUsedAt), csrf: viewer.csrf)
            },
            newKey: nil, keyName: "", keyError: nil,
            sshKeys: try await sshKeys.map {
                SSHKeyRowView(
                    id: $0.id.uuidString.lowercased(), name: $0.name, type: $0.type, fingerprint: $0.fingerprint,
                    created: TimeView($0.createdAt), lastUsed: TimeView($0.lastUsedAt), csrf: viewer.csrf)
            },
            sshName: "", sshPublicKey: "", sshKeyError: nil, sshNameError: nil, error: nil)
        edit(&body)
        return try page(
            "account", title: "Account", section: .account, viewer: viewer, request: request, body: body, status: status
        )
    }

    // MARK: API keys

    /// Renders the page directly (no redirect), so the token never lands in a URL or a cookie.
    func createAPIKey(_ request: Request, viewer: Viewer, form: FormFields) async throws -> Response {
        let name = form.trimmed("name") ?? ""
        do {
            let created = try await services.users.createAPIKey(name: name, by: viewer.principal)
            var response = try await accountPage(request, viewer: viewer, status: .created) { body in
                body.newKey = NewAPIKeyView(name: created.key.name, token: created.token)
            }
            response.headers[.cacheControl] = "no-store"
            return response
        } catch let error as GantryError where error.kind != .forbidden && error.kind != .unauthorized {
            return try await accountPage(request, viewer: viewer, status: ErrorMapping.status(for: error.kind)) {
                body in
                body.keyName = name
                body.keyError = error.detail.asSentence
                body.error = "The API key was not created: " + error.detail
            }
        }
    }

    func revokeAPIKey(id: String, request: Request, viewer: Viewer, form: FormFields) async throws -> Response {
        let uuid = try Self.uuid(id, "API key")
        guard form["confirm"] == "yes" else {
            guard let key = try await services.users.apiKeys(by: viewer.principal).first(where: { $0.id == uuid })
            else {
                throw GantryError.notFound("API key")
            }
            return try confirmPage(
                request, viewer: viewer, section: .account,
                body: ConfirmBody(
                    heading: "Revoke API key",
                    message:
                        "Revoke the API key \(key.name) (\(key.prefix)…)? Anything using it stops working at once.",
                    action: "/dashboard/account/api-keys/\(id)/delete", confirmLabel: "Revoke", danger: true,
                    cancelHref: "/dashboard/account", fields: []))
        }
        try await services.users.deleteAPIKey(id: uuid, by: viewer.principal)
        return redirect(to: "/dashboard/account", flash: Flash(kind: .success, message: "The API key is revoked."))
    }

    // MARK: SSH keys

    func addSSHKey(_ request: Request, viewer: Viewer, form: FormFields) async throws -> Response {
        let name = form.trimmed("name") ?? ""
        let publicKey = form.trimmed("public_key") ?? ""
        do {
            let key = try await services.sshKeys.add(
                publicKey: publicKey, name: name.isEmpty ? nil : name, by: viewer.principal)
            return redirect(
                to: "/dashboard/account",
                flash: Flash(kind: .success, message: "Added SSH key \(key.name) (\(key.fingerprint))."))
        } catch let error as GantryError where error.kind != .forbidden && error.kind != .unauthorized {
            return try await accountPage(request, viewer: viewer, status: ErrorMapping.status(for: error.kind)) {
                body in
                body.sshName = name
                body.sshPublicKey = publicKey
                body.error = "The SSH key was not added: " + error.detail
                if error.detail.hasPrefix("name") {
                    body.sshNameError = error.detail.asSentence
                } else {
                    body.sshKeyError = error.detail.asSentence
                }
            }
        }
    }

    func deleteSSHKey(id: String, request: Request, viewer: Viewer, form: FormFields) async throws -> Response {
        let uuid = try Self.uuid(id, "ssh key")
        guard form["confirm"] == "yes" else {
            guard let key = try await services.sshKeys.list(by: viewer.principal).first(where: { $0.id == uuid }) else {
                throw GantryError.notFound("ssh key")
            }
            return try confirmPage(
                request, viewer: viewer, section: .account,
                body: ConfirmBody(
                    heading: "Delete SSH key",
                    message: "Delete the SSH key \(key.name) (\(key.fingerprint))? The gateway stops accepting it.",
                    action: "/dashboard/account/ssh-keys/\(id)/delete", confirmLabel: "Delete", danger: true,
                    cancelHref: "/dashboard/account", fields: []))
        }
        try await services.sshKeys.remove(id: uuid, by: viewer.principal)
        return redirect(to: "/dashboard/account", flash: Flash(kind: .success, message: "The SSH key is deleted."))
    }
}
