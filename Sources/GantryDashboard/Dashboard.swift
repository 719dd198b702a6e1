import Foundation
import GantryCore
import GantryEdge
import GantryServices
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The web dashboard under `/dashboard`: server-rendered pages over the same services the API
/// uses. Handlers map forms to use cases and view models to templates; no business rules here.
public struct Dashboard: Sendable {
    let services: EdgeServices
    let webSessions: WebSessionService
    let settings: DashboardSettings
    let renderer: DashboardRenderer
    let logger: Logger

    public init(
        services: EdgeServices, webSessions: WebSessionService, settings: DashboardSettings, logger: Logger
    ) throws {
        self.services = services
        self.webSessions = webSessions
        self.settings = settings
        self.renderer = try DashboardRenderer()
        self.logger = logger
    }

    typealias PageHandler = @Sendable (Request, Viewer) async throws -> Response
    typealias FormHandler = @Sendable (Request, Viewer, FormFields) async throws -> Response

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/dashboard/assets/{file}") { request, context in
            self.asset(named: context.parameters.get("file") ?? "", request: request)
        }
        registerLogin(on: router)
        router.get("/dashboard") { request, _ in try await self.signedIn(request, handler: self.overview) }
        registerInstances(on: router)
        registerLaunchWizard(on: router)
        registerSessions(on: router)
        registerGPUs(on: router)
        registerJobs(on: router)
        registerPlugins(on: router)
        registerAdminUsers(on: router)
        registerAdminImages(on: router)
        registerAccount(on: router)
    }

    // MARK: Authentication wrappers

    /// Runs `handler` for a signed-in viewer; sends others to the sign-in page.
    func signedIn(_ request: Request, handler: PageHandler) async throws -> Response {
        let started = ContinuousClock.now
        switch await resolveViewer(request) {
        case .signedIn(let viewer):
            var response = await guarded(request, viewer: viewer) { try await handler(request, viewer) }
            ServerTiming.append("total", since: started, to: &response)
            return response
        case .signedOut(let clearCookie):
            var response = Self.redirect(to: loginURL(returningTo: request))
            if clearCookie { response.setCookie(DashboardCookies.clearSession(secure: settings.secureCookies)) }
            return response
        }
    }

    /// A form post from a signed-in viewer, with its CSRF token checked before anything runs.
    func signedInForm(
        _ request: Request, context: some RequestContext, handler: FormHandler
    ) async throws
        -> Response
    {
        guard case .signedIn(let viewer) = await resolveViewer(request) else {
            return Self.redirect(to: "/dashboard/login?expired=1")
        }
        let form: FormFields
        do {
            form = try await FormFields.read(request, context: context)
        } catch {
            return errorPage(
                GantryError(.payloadTooLarge, code: "form_too_large", detail: "the form is too large"), viewer: viewer)
        }
        guard CSRFToken.matches(form[CSRFToken.fieldName], viewer.csrf) else {
            return errorPage(
                GantryError(
                    .forbidden, code: "csrf_failed",
                    detail: "This form expired or came from another site. Go back, reload the page and try again."),
                viewer: viewer)
        }
        return await guarded(request, viewer: viewer) { try await handler(request, viewer, form) }
    }

    /// Turns anything a handler throws into an error page with the matching status.
    func guarded(_ request: Request, viewer: Viewer, _ body: () async throws -> Response) async -> Response {
        do {
            var response = try await body()
            if request.cookies[DashboardCookies.flash] != nil, response.status.code < 300 {
                response.setCookie(DashboardCookies.clearFlash(secure: settings.secureCookies))
            }
            return response
        } catch {
            let (gantryError, expected) = ErrorMapping.gantryError(for: error)
            if !expected {
                logger.error(
                    "dashboard request failed",
                    metadata: ["path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
            }
            return errorPage(gantryError, viewer: viewer)
        }
    }

    enum ViewerResolution {
        case signedIn(Viewer)
        /// `clearCookie`: the request carried a session cookie that is no longer valid.
        case signedOut(clearCookie: Bool)
    }

    func resolveViewer(_ request: Request) async -> ViewerResolution {
        guard let token = request.cookies[DashboardCookies.session]?.value, !token.isEmpty else {
            return .signedOut(clearCookie: false)
        }
        do {
            let authenticated = try await webSessions.authenticate(token: token)
            return .signedIn(
                Viewer(
                    principal: authenticated.principal, sessionToken: token, csrf: CSRFToken.forSession(token)))
        } catch {
            return .signedOut(clearCookie: true)
        }
    }

    func loginURL(returningTo request: Request) -> String {
        let target = request.uri.description
        guard request.method == .get, target != "/dashboard", SafeRedirect.isLocal(target) else {
            return "/dashboard/login"
        }
        return "/dashboard/login?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
    }

    /// A live region's event stream for `viewer`, which ends once their session does.
    func live(_ viewer: Viewer, _ snapshot: @escaping @Sendable () async throws -> LiveSnapshot) -> Response {
        let webSessions = webSessions
        let token = viewer.sessionToken
        return LiveUpdates().response(
            stillAllowed: { (try? await webSessions.authenticate(token: token)) != nil }, snapshot)
    }

    // MARK: Rendering

    func frame<Body: Sendable>(
        _ title: String, section: DashboardSection?, viewer: Viewer, flash: Flash?, body: Body
    ) -> PageFrame<Body> {
        PageFrame(
            title: title, nav: DashboardSection.navigation(current: section, isAdmin: viewer.isAdmin),
            username: viewer.user.username, isAdmin: viewer.isAdmin, csrf: viewer.csrf,
            flash: flash, rayDashboardURL: settings.rayDashboardURL,
            version: settings.version, assetVersion: renderer.assetVersion, body: body)
    }

    func page<Body: Sendable>(
        _ template: String, title: String, section: DashboardSection?, viewer: Viewer, request: Request,
        body: Body, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let started = ContinuousClock.now
        let html = try renderer.render(
            frame(title, section: section, viewer: viewer, flash: DashboardCookies.readFlash(request), body: body),
            template: template)
        var response = Self.html(html, status: status)
        ServerTiming.append("render", since: started, to: &response)
        return response
    }

    struct ErrorBody: Sendable {
        var status: Int
        var heading: String
        var detail: String
        var code: String
    }

    func errorPage(_ error: GantryError, viewer: Viewer?) -> Response {
        let status = ErrorMapping.status(for: error.kind)
        let body = ErrorBody(
            status: Int(status.code), heading: Self.heading(for: error.kind), detail: error.detail, code: error.code)
        let html: String
        do {
            if let viewer {
                html = try renderer.render(
                    frame(body.heading, section: nil, viewer: viewer, flash: nil, body: body), template: "error")
            } else {
                html = try renderer.render(
                    LoginPageModel(assetVersion: renderer.assetVersion, body: body), template: "error-public")
            }
        } catch {
            html = "<!doctype html><title>Error</title><p>\(HTMLText.escape(error.localizedDescription))</p>"
        }
        var response = Self.html(html, status: status)
        if let seconds = error.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
        return response
    }

    static func heading(for kind: GantryError.Kind) -> String {
        switch kind {
        case .invalidInput: "That didn't work"
        case .unauthorized: "Sign in required"
        case .forbidden: "Not allowed"
        case .notFound: "Not found"
        case .conflict: "Conflict"
        case .quotaExceeded: "Over quota"
        case .insufficientCapacity: "Not enough capacity"
        case .unavailable: "Temporarily unavailable"
        case .payloadTooLarge: "Too large"
        case .methodNotAllowed: "Method not allowed"
        case .rateLimited: "Slow down"
        case .internalFailure: "Something went wrong"
        }
    }

    // MARK: Responses

    /// Pages carry user data, so nothing is cached, and a strict policy forbids inline script.
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        if let referrer = HTTPField.Name("Referrer-Policy") { headers[referrer] = "same-origin" }
        if let frameOptions = HTTPField.Name("X-Frame-Options") { headers[frameOptions] = "DENY" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

    /// 303: the browser follows with a GET, so reloading the result never re-posts a form.
    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    func redirect(to location: String, flash: Flash) -> Response {
        var response = Self.redirect(to: location)
        response.setCookie(DashboardCookies.flash(flash, secure: settings.secureCookies))
        return response
    }

    func asset(named name: String, request: Request) -> Response {
        guard let text = renderer.assets[name] else {
            return Response(
                status: .notFound, headers: [.contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: "not found")))
        }
        let type: String =
            switch (name as NSString).pathExtension {
            case "css": "text/css; charset=utf-8"
            case "js": "text/javascript; charset=utf-8"
            case "svg": "image/svg+xml"
            default: "text/plain; charset=utf-8"
            }
        var headers: HTTPFields = [.contentType: type, .xContentTypeOptions: "nosniff"]
        // Versioned URLs never change content; others are revalidated.
        headers[.cacheControl] =
            request.uri.queryParameters["v"].map { String($0) } == renderer.assetVersion
            ? "public, max-age=31536000, immutable" : "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Only same-site paths are followed after sign-in, so `next` cannot send people elsewhere.
enum SafeRedirect {
    static func isLocal(_ target: String) -> Bool {
        target.hasPrefix("/dashboard") && !target.hasPrefix("//") && !target.contains("\\")
            && !target.contains("\r") && !target.contains("\n")
    }
}

enum HTMLText {
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
