import Foundation
import HTTPTypes
import Testing

/// The GPU sessions and GPUs pages, against real Docker with a recorded-output nvidia-smi.
@Suite("Dashboard GPU sessions", .timeLimit(.minutes(3)))
struct DashboardSessionsTests {
    @Test func anAdminCreatesASessionForAUserWhoSeesItExtendsItAndDeletesIt() async throws {
        try await SessionAPITests.withGPUs("a100-mig-on") { gantry in
            let admin = try await gantry.adminToken()
            let alice = try await gantry.createUser("alice", adminToken: admin)
            _ = try await gantry.createUser("bob", adminToken: admin)
            let browser = DashboardSession(gantry)
            try await browser.signInAsAdmin()

            let form = try await browser.get("/dashboard/sessions")
            #expect(form.status == .ok)
            #expect(form.contains("id=\"session-create\""))
            #expect(form.contains("id=\"session-user\""))
            #expect(form.contains("<option value=\"alice\">alice</option>"), "\(form.html)")
            #expect(form.contains("id=\"mig_profile\""))
            #expect(form.contains("3g.20gb — 1 of 1 free"))
            #expect(form.contains("<option value=\"none\""))
            #expect(form.contains("<option value=\"full\""))
            #expect(
                form.contains(
                    "id=\"ttl_minutes\" name=\"ttl_minutes\" type=\"number\" min=\"1\" step=\"1\" required value=\"60\""
                ))
            #expect(form.contains("No GPU sessions yet"))
            #expect(form.contains("href=\"/dashboard/account\""))
            #expect(form.contains("data-live=\"/dashboard/sessions/live\""))

            // Forms without the right CSRF token change nothing.
            let fields = [("user", "alice"), ("mig_profile", "3g.20gb"), ("ttl_minutes", "60")]
            let missing = try await browser.post("/dashboard/sessions", fields, csrf: nil)
            #expect(missing.status == .forbidden)
            let wrong = try await browser.post("/dashboard/sessions", fields, csrf: String(repeating: "0", count: 64))
            #expect(wrong.status == .forbidden)
            #expect(wrong.contains("This form expired"))

            // A bad TTL is a 400 with the field marked, and nothing is created.
            let zero = try await browser.post(
                "/dashboard/sessions", [("user", "alice"), ("mig_profile", "3g.20gb"), ("ttl_minutes", "0")],
                csrf: form.csrf)
            #expect(zero.status == .badRequest)
            #expect(zero.contains("id=\"ttl_minutes-error\""))
            #expect(zero.contains("The time to live (minutes) must be between 1 and"))
            #expect(zero.contains("aria-invalid=\"true\""))
            let words = try await browser.post(
                "/dashboard/sessions", [("user", "alice"), ("mig_profile", "3g.20gb"), ("ttl_minutes", "soon")],
                csrf: form.csrf)
            #expect(words.status == .badRequest)
            #expect(words.contains("The time to live (minutes) must be a whole number"))
            #expect(words.contains("value=\"soon\""), "the form keeps what was typed")
            #expect(try await gantry.request(.get, "/api/v1/sessions", token: admin)["total"] as? Int == 0)

            // The happy path: redirect with a flash that carries the ssh command.
            let created = try await browser.post(
                "/dashboard/sessions",
                [("user", "alice"), ("mig_profile", "3g.20gb"), ("ttl_minutes", "60"), ("name", "train")],
                csrf: form.csrf)
            #expect(created.status == .seeOther, "\(created.html.prefix(600))")
            #expect(created.location == "/dashboard/sessions")
            let listed = try await gantry.request(.get, "/api/v1/sessions", token: alice.token)
            let item = try #require((listed["items"] as? [[String: Any]])?.first)
            let id = try #require(item["session_id"] as? String)
            let ssh = try #require(item["ssh_command"] as? String)
            #expect(ssh.contains("alice@"))
            let expiresAt = try #require((item["expires_at"] as? String).flatMap(parseDate))
            let list = try await browser.get("/dashboard/sessions")
            #expect(list.contains("Connect with: \(ssh)"), "the flash names the ssh command")
            #expect(list.contains("data-row-id=\"\(id)\""))
            #expect(list.contains("<code id=\"ssh-\(id)\" class=\"mono\">\(ssh)</code>"))
            #expect(list.contains("data-copy=\"#ssh-\(id)\""))
            #expect(list.contains("class=\"countdown\" data-countdown=\""))
            #expect(list.contains(">3g.20gb</span>"))
            #expect(list.contains("<td>alice</td>"), "admins see whose it is")
            #expect(list.contains("data-action=\"extend\"") && list.contains("name=\"extend_minutes\""))
            #expect(list.contains("data-action=\"delete\"") && list.contains("data-confirm="))

            // The only 3g.20gb is taken: a conflict with the reason, and nothing more created.
            let taken = try await browser.post(
                "/dashboard/sessions", [("user", "bob"), ("mig_profile", "3g.20gb"), ("ttl_minutes", "30")],
                csrf: form.csrf)
            #expect(taken.status == .conflict, "\(taken.html.prefix(400))")
            #expect(taken.contains("id=\"mig_profile-error\""))
            #expect(try await gantry.request(.get, "/api/v1/sessions", token: admin)["total"] as? Int == 1)

            // The GPU page shows the layout and the holder to the admin.
            let gpus = try await browser.get("/dashboard/gpus")
            #expect(gpus.status == .ok)
            #expect(gpus.contains("NVIDIA A100-SXM4-40GB"))
            #expect(gpus.contains("ul class=\"mig-slots\""))
            #expect(gpus.html.components(separatedBy: "class=\"mig-slot is-free\"").count - 1 == 3)
            #expect(gpus.html.components(separatedBy: "class=\"mig-slot is-held\"").count - 1 == 1)
            #expect(gpus.contains("<span class=\"mig-profile\">3g.20gb</span>"))
            #expect(gpus.contains("<a href=\"/dashboard/sessions#session-\(id)\">alice</a>"))
            #expect(gpus.contains("0 / 1"), "the profiles table counts the held device")

            // Alice sees her own session (no user picker) and herself as the holder.
            let aliceBrowser = DashboardSession(gantry)
            try await aliceBrowser.signIn("alice", "secret-alice-1")
            let mine = try await aliceBrowser.get("/dashboard/sessions")
            #expect(mine.contains("data-row-id=\"\(id)\""))
            #expect(mine.contains(ssh))
            #expect(!mine.contains("id=\"session-user\""))
            #expect(try await aliceBrowser.get("/dashboard/gpus").contains(">alice</a>"))

            // Bob sees neither the session nor who holds the device, and cannot touch it.
            let bobBrowser = DashboardSession(gantry)
            try await bobBrowser.signIn("bob", "secret-bob-1")
            let theirs = try await bobBrowser.get("/dashboard/sessions")
            #expect(!theirs.contains(id))
            #expect(theirs.contains("No GPU sessions yet"))
            let bobGPUs = try await bobBrowser.get("/dashboard/gpus")
            #expect(bobGPUs.contains("<span class=\"mig-holder\">in use</span>"))
            #expect(!bobGPUs.contains("alice"))
            let poke = try await bobBrowser.post(
                "/dashboard/sessions/\(id)/extend", [("extend_minutes", "30")], csrf: theirs.csrf)
            #expect(poke.status == .notFound)
            let bobDelete = try await bobBrowser.post(
                "/dashboard/sessions/\(id)/delete", [("confirm", "yes")], csrf: theirs.csrf)
            #expect(bobDelete.status == .notFound)

            // Extend moves expires_at by the minutes given; a bad number changes nothing.
            let badExtend = try await aliceBrowser.post(
                "/dashboard/sessions/\(id)/extend", [("extend_minutes", "many")], csrf: mine.csrf)
            #expect(badExtend.status == .badRequest)
            #expect(badExtend.contains("id=\"session-action-error\""))
            let extended = try await aliceBrowser.post(
                "/dashboard/sessions/\(id)/extend", [("extend_minutes", "30"), ("return_to", "/dashboard/sessions")],
                csrf: mine.csrf)
            #expect(extended.status == .seeOther)
            let after = try await gantry.request(.get, "/api/v1/sessions/\(id)", token: alice.token)
            let later = try #require((after["expires_at"] as? String).flatMap(parseDate))
            #expect(abs(later.timeIntervalSince(expiresAt) - 1800) < 1)
            #expect(try await aliceBrowser.get("/dashboard/sessions").contains("Extended train by 30 min"))

            // Delete asks first without JavaScript, then ends the session.
            let ask = try await browser.post("/dashboard/sessions/\(id)/delete", [], csrf: form.csrf)
            #expect(ask.status == .ok)
            #expect(ask.contains("name=\"confirm\" value=\"yes\""))
            #expect(
                try await gantry.request(.get, "/api/v1/sessions/\(id)", token: admin)["status"] as? String == "running"
            )
            let deleted = try await browser.post(
                "/dashboard/sessions/\(id)/delete", [("confirm", "yes")], csrf: form.csrf)
            #expect(deleted.status == .seeOther)
            let ended = try await gantry.request(.get, "/api/v1/sessions/\(id)", token: admin)
            #expect(ended["status"] as? String == "terminated")
            let afterDelete = try await browser.get("/dashboard/sessions")
            #expect(afterDelete.contains("Session train is terminated."))
            #expect(!afterDelete.contains("id=\"ssh-\(id)\""), "an ended session has no ssh command")
            #expect(try await browser.get("/dashboard/sessions").contains("3g.20gb — 1 of 1 free"))
        }
    }

    @Test func withoutGPUsAndWithoutSelfServiceTheServiceDecides() async throws {
        try await TestGantry.run(environment: ["GANTRY_SESSION_SELF_SERVICE": "false"]) { gantry in
            let admin = try await gantry.adminToken()
            _ = try await gantry.createUser("carol", adminToken: admin)
            let carol = DashboardSession(gantry)
            try await carol.signIn("carol", "secret-carol-1")

            let gpus = try await carol.get("/dashboard/gpus")
            #expect(gpus.status == .ok)
            #expect(gpus.contains("No GPUs found on any node — nvidia-smi reported none"))

            let form = try await carol.get("/dashboard/sessions")
            #expect(form.contains("id=\"session-create\"") && !form.contains("id=\"session-user\""))
            let refused = try await carol.post(
                "/dashboard/sessions", [("mig_profile", "none"), ("ttl_minutes", "60")], csrf: form.csrf)
            #expect(refused.status == .forbidden)
            #expect(refused.contains("Sessions are created by an admin here"))
            // No GPU at all: asking for one is a conflict with the reason.
            let browser = DashboardSession(gantry)
            try await browser.signInAsAdmin()
            let page = try await browser.get("/dashboard/sessions")
            let noGPU = try await browser.post(
                "/dashboard/sessions", [("user", "carol"), ("mig_profile", "1g.5gb"), ("ttl_minutes", "60")],
                csrf: page.csrf)
            #expect(noGPU.status == .conflict)
            #expect(try await gantry.request(.get, "/api/v1/sessions", token: admin)["total"] as? Int == 0)

            // Without a GPU, an admin can still make one for carol.
            let plain = try await browser.post(
                "/dashboard/sessions", [("user", "carol"), ("mig_profile", "none"), ("ttl_minutes", "5")],
                csrf: page.csrf)
            #expect(plain.status == .seeOther, "\(plain.html.prefix(400))")
            let listed = try await carol.get("/dashboard/sessions")
            #expect(listed.contains(">no GPU</span>"))
            #expect(listed.contains("carol@"))
        }
    }
}
