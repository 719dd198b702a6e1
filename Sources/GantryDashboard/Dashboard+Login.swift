import Foundation
import GantryCore
import GantryServices
import HTTPTypes
import Hummingbird

/// The public pages' model: no navigation, no viewer.
struct LoginPageModel<Body: Sendable>: Sendable {
    var assetVersion: String
    var body: Body
}

struct LoginForm: Sendable {
    var csrf: String
    var next: String
    var username: String
    var error: String?
    var notice: String?
    var demoMode: Bool
}

extension Dashboard {
    func registerLogin<Context: RequestContext>(on router: Router<Context>) {
        router.get("/dashboard/login") { request, _ in try await self.showLogin(request) }
        router.post("/dashboard/login") { request, context in try await self.submitLogin(request, context: context) }
        router.post("/dashboard/logout") { request, context in try await self.logout(request, context: context) }
    }

    func showLogin(_ request: Request) async throws -> Response {
        let next = Self.nextTarget(request.uri.queryParameters["next"].map(String.init))
        if case .signedIn = await resolveViewer(request) { return Self.redirect(to: next) }
        if settings.demoMode, request.uri.queryParameters["signed_out"] == nil {
            return try await demoSignIn(next: next)
        }
        let notice: String? =
            if request.uri.queryParameters["signed_out"] != nil {
                "You are signed out."
            } else if request.uri.queryParameters["expired"] != nil {
                "Your session ended. Sign in again."
            } else {
                nil
            }
        return try loginPage(
            request,
            form: LoginForm(
                csrf: "", next: next, username: "", error: nil, notice: notice, demoMode: settings.demoMode),
            status: .ok)
    }

    func submitLogin(_ request: Request, context: some RequestContext) async throws -> Response {
        let form = try await FormFields.read(request, context: context, limit: 16 * 1024)
        let next = Self.nextTarget(form["next"])
        let username = form.trimmed("username") ?? ""
        guard let cookie = request.cookies[DashboardCookies.loginCSRF]?.value,
            CSRFToken.matches(form[CSRFToken.fieldName], cookie)
        else {
            return try loginPage(
                request,
                form: LoginForm(
                    csrf: "", next: next, username: username,
                    error: "The sign-in form expired. Please try again.", notice: nil, demoMode: settings.demoMode),
                status: .forbidden)
        }
        if settings.demoMode, form["demo"] != nil { return try await demoSignIn(next: next) }
        do {
            let signedIn = try await webSessions.signIn(usernameOrEmail: username, password: form["password"] ?? "")
            var response = Self.redirect(to: next)
            response.setCookie(sessionCookie(signedIn.token))
            response.setCookie(Cookie(name: DashboardCookies.loginCSRF, value: "", maxAge: 0, path: "/dashboard/login"))
            return response
        } catch let error as GantryError {
            let message =
                error.kind == .invalidInput
                ? "Enter your username (or email) and password." : error.detail.capitalizedFirst
            return try loginPage(
                request,
                form: LoginForm(
                    csrf: "", next: next, username: username, error: message, notice: nil, demoMode: settings.demoMode),
                status: error.kind == .invalidInput ? .badRequest : .unauthorized)
        }
    }

    func logout(_ request: Request, context: some RequestContext) async throws -> Response {
        let form = try await FormFields.read(request, context: context, limit: 16 * 1024)
        guard case .signedIn(let viewer) = await resolveViewer(request) else {
            return Self.redirect(to: "/dashboard/login?signed_out=1")
        }
        guard CSRFToken.matches(form[CSRFToken.fieldName], viewer.csrf) else {
            return errorPage(
                GantryError(
                    .forbidden, code: "csrf_failed", detail: "This form expired. Reload the page and try again."),
                viewer: viewer)
        }
        try await webSessions.signOut(token: viewer.sessionToken)
        var response = Self.redirect(to: "/dashboard/login?signed_out=1")
        response.setCookie(DashboardCookies.clearSession(secure: settings.secureCookies))
        return response
    }

    private func demoSignIn(next: String) async throws -> Response {
        let signedIn = try await webSessions.signInAsDemoUser()
        var response = Self.redirect(to: next)
        response.setCookie(sessionCookie(signedIn.token))
        return response
    }

    private func sessionCookie(_ token: String) -> Cookie {
        DashboardCookies.session(token, maxAge: Int(webSessions.lifetime), secure: settings.secureCookies)
    }

    /// Every rendering of the form gets a fresh token in its cookie and a hidden field.
    private func loginPage(_ request: Request, form: LoginForm, status: HTTPResponse.Status) throws -> Response {
        var form = form
        form.csrf = CSRFToken.random()
        let html = try renderer.render(
            LoginPageModel(assetVersion: renderer.assetVersion, body: form), template: "login")
        var response = Self.html(html, status: status)
        response.setCookie(DashboardCookies.loginCSRF(form.csrf, secure: settings.secureCookies))
        return response
    }

    static func nextTarget(_ raw: String?) -> String {
        guard let raw, SafeRedirect.isLocal(raw), !raw.hasPrefix("/dashboard/login") else { return "/dashboard" }
        return raw
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
