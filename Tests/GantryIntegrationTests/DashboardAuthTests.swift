import Foundation
import GantryServices
import HTTPTypes
import Testing

/// Signing in and out of the dashboard, its cookies, CSRF protection, demo mode and the
/// security headers every page carries.
@Suite struct DashboardAuthTests {
    @Test func signedOutVisitorsAreSentToTheSignInPageAndComeBackAfter() async throws {
        try await TestGantry.run { gantry in
            let browser = DashboardSession(gantry)
            let page = try await browser.get("/dashboard/instances?page=1")
            #expect(page.status == .seeOther)
            #expect(page.location == "/dashboard/login?next=%2Fdashboard%2Finstances%3Fpage%3D1")

            let form = try await browser.get(try #require(page.location))
            #expect(form.status == .ok)
            #expect(form.contains("<label for=\"username\">"))
            #expect(form.contains("name=\"next\" value=\"/dashboard/instances?page=1\""))
            let loginCookie = try #require(form.setCookies.first { $0.hasPrefix("gantry_login_csrf=") })
            #expect(loginCookie.contains("HttpOnly") && loginCookie.contains("SameSite=Strict"))

            let signedIn = try await browser.post(
                "/dashboard/login",
                [
                    ("username", "admin"), ("password", TestGantry.adminPassword),
                    ("next", "/dashboard/instances?page=1"),
                ],
                csrf: form.csrf)
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.location == "/dashboard/instances?page=1")
            let session = try #require(signedIn.setCookies.first { $0.hasPrefix("gantry_session=gs_") })
            #expect(session.contains("HttpOnly"))
            #expect(session.contains("SameSite=Lax"))
            #expect(session.contains("Path=/dashboard"))
            #expect(!session.contains("Secure"), "Secure is only set when GANTRY_SECURE_COOKIES is on")

            let instances = try await browser.get("/dashboard/instances")
            #expect(instances.status == .ok)
            #expect(instances.contains("<h1>Instances</h1>"))
        }
    }

    @Test func wrongPasswordsAndMissingFieldsAreRefusedWithoutASession() async throws {
        try await TestGantry.run { gantry in
            let browser = DashboardSession(gantry)
            let form = try await browser.get("/dashboard/login")
            let wrong = try await browser.post(
                "/dashboard/login", [("username", "admin"), ("password", "not-the-password-1")], csrf: form.csrf)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.contains("Incorrect username or password"))
            #expect(wrong.contains("value=\"admin\""), "the username is kept")
            #expect(!wrong.setCookies.contains { $0.hasPrefix("gantry_session=gs_") })

            let retry = try await browser.post(
                "/dashboard/login", [("username", ""), ("password", "")], csrf: wrong.csrf)
            #expect(retry.status == .badRequest)

            // The sign-in form's token must match its cookie.
            let forged = try await browser.post(
                "/dashboard/login", [("username", "admin"), ("password", TestGantry.adminPassword)],
                csrf: String(repeating: "0", count: 48))
            #expect(forged.status == .forbidden)
            #expect(!forged.setCookies.contains { $0.hasPrefix("gantry_session=gs_") })
            #expect(try await browser.get("/dashboard").status == .seeOther)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func signingOutEndsTheSessionOnTheServer(database: DatabaseKind) async throws {
        try await TestGantry.run(database) { gantry in
            let browser = DashboardSession(gantry)
            let overview = try await browser.signInAsAdmin()
            #expect(overview.contains("<h1>Overview</h1>"))
            let stolen = try #require(browser.cookies["gantry_session"])

            // Signing out needs the CSRF token too.
            let forged = try await browser.post("/dashboard/logout", [], csrf: "deadbeef")
            #expect(forged.status == .forbidden)
            #expect(try await browser.get("/dashboard").status == .ok)

            let out = try await browser.post("/dashboard/logout", [], csrf: overview.csrf)
            #expect(out.status == .seeOther)
            #expect(out.location == "/dashboard/login?signed_out=1")
            #expect(try await browser.get("/dashboard").status == .seeOther)

            // The old cookie is dead on the server, not just forgotten by this browser.
            let replay = DashboardSession(gantry)
            replay.setCookie("gantry_session", stolen)
            #expect(try await replay.get("/dashboard").status == .seeOther)
        }
    }

    @Test func formsWithoutTheSessionsTokenChangeNothing() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let browser = DashboardSession(gantry)
            try await browser.signInAsAdmin()
            let fields = [
                ("image", "httpd"), ("name", "csrf-probe"), ("cpu", "0.25"), ("memory_mb", "64"), ("gpus", "0"),
            ]
            let missing = try await browser.post("/dashboard/instances", fields, csrf: nil)
            #expect(missing.status == .forbidden)
            #expect(missing.contains("csrf_failed"))
            let wrong = try await browser.post("/dashboard/instances", fields, csrf: String(repeating: "a", count: 64))
            #expect(wrong.status == .forbidden)
            // Another session's token does not work either.
            let other = DashboardSession(gantry)
            let otherToken = try #require(try await other.signInAsAdmin().csrf)
            #expect(try await browser.post("/dashboard/instances", fields, csrf: otherToken).status == .forbidden)

            let listed = try await gantry.request(.get, "/api/v1/instances", token: admin)
            #expect(listed["total"] as? Int == 0)
        }
    }

    @Test func deactivatedUsersAreSignedOutAtOnce() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let (id, _) = try await gantry.createUser("dash-bob", adminToken: admin)
            let browser = DashboardSession(gantry)
            let page = try await browser.signIn("dash-bob", "secret-dash-bob-1")
            #expect(page.contains("dash-bob"))
            #expect(!page.contains("href=\"/dashboard/admin/users\""), "no admin navigation for users")
            let patched = try await gantry.request(
                .patch, "/api/v1/users/\(id)", token: admin, json: ["is_active": false])
            #expect(patched.status == .ok)
            #expect(try await browser.get("/dashboard").status == .seeOther)
        }
    }

    @Test func demoModeSignsVisitorsInAsTheDemoUser() async throws {
        try await TestGantry.run(environment: ["GANTRY_DEMO": "true"]) { gantry in
            let browser = DashboardSession(gantry)
            let first = try await browser.get("/dashboard")
            #expect(first.status == .seeOther)
            let signedIn = try await browser.get(try #require(first.location))
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.location == "/dashboard")
            let overview = try await browser.get("/dashboard")
            #expect(overview.status == .ok)
            #expect(overview.contains(WebSessionService.demoUsername))
            #expect(!overview.contains("href=\"/dashboard/admin/users\""), "the demo user is not an admin")

            // After signing out, the form is shown (with the demo button) instead of signing in again.
            let out = try await browser.post("/dashboard/logout", [], csrf: overview.csrf)
            let form = try await browser.get(try #require(out.location))
            #expect(form.status == .ok)
            #expect(form.contains("Continue as demo user"))
        }
    }

    @Test func pagesCarryAStrictContentSecurityPolicyAndAssetsAreServed() async throws {
        try await TestGantry.run { gantry in
            let browser = DashboardSession(gantry)
            let page = try await browser.signInAsAdmin()
            let policy = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!])
            #expect(policy.contains("script-src 'self'"))
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(page.headers[.cacheControl] == "no-store")
            let timing = try #require(page.headers[HTTPField.Name("Server-Timing")!])
            #expect(timing.contains("render;dur=") && timing.contains("total;dur="), "\(timing)")
            #expect(!page.html.contains("<script>"), "no inline scripts")
            #expect(!page.html.contains("style=\""), "no inline styles")

            let version = try #require(DashboardSession.Page.firstMatch(#"gantry\.css\?v=([0-9a-f]+)"#, in: page.html))
            let css = try await browser.get("/dashboard/assets/gantry.css?v=\(version)")
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.headers[.cacheControl]?.contains("immutable") == true)
            #expect(css.html.contains("prefers-color-scheme"))
            let js = try await browser.get("/dashboard/assets/gantry.js")
            #expect(js.status == .ok)
            #expect(js.headers[.cacheControl] == "no-cache")
            #expect(try await browser.get("/dashboard/assets/nope.js").status == .notFound)
            #expect(try await browser.get("/").location == "/dashboard")
        }
    }

    @Test func signInOnlyReturnsToDashboardPages() async throws {
        try await TestGantry.run { gantry in
            let browser = DashboardSession(gantry)
            let form = try await browser.get("/dashboard/login?next=https://evil.example/")
            #expect(form.contains("name=\"next\" value=\"/dashboard\""))
            let signedIn = try await browser.post(
                "/dashboard/login",
                [("username", "admin"), ("password", TestGantry.adminPassword), ("next", "//evil.example/dashboard")],
                csrf: form.csrf)
            #expect(signedIn.location == "/dashboard")
        }
    }
}
