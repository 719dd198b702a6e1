import Foundation
import GantryServices
import HTTPTypes
import Testing

/// The admin pages (users, image catalog) and the account page (API keys, SSH keys): each form
/// changes state through the services, bad input changes nothing, non-admins are refused.
@Suite struct DashboardAdminTests {
    static let publicKey =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKnt5hu8zLLN9sdwcLc8oXBhnSehmQtcMsK7Ru3+64l2 me@laptop"

    /// The id of `username` as the users table links it.
    static func userID(_ username: String, on page: DashboardSession.Page) throws -> String {
        try #require(
            DashboardSession.Page.firstMatch(
                #"href="/dashboard/admin/users/([0-9a-f-]{36})">\#(username)</a>"#, in: page.html))
    }

    static func userCount(_ gantry: TestGantry, token: String) async throws -> Int {
        try #require(try await gantry.request(.get, "/api/v1/users?limit=200", token: token)["total"] as? Int)
    }

    @Test func adminCreatesAUserWhoCanSignInAndDeactivatesThem() async throws {
        try await TestGantry.run { gantry in
            let token = try await gantry.adminToken()
            let admin = DashboardSession(gantry)
            let list = try await admin.signInAsAdmin()
            let users = try await admin.get("/dashboard/admin/users")
            #expect(users.status == .ok)
            #expect(users.contains("<h1>Users</h1>"))
            #expect(users.contains("<label for=\"new-username\">"))
            #expect(try Self.userID("admin", on: users).count == 36)

            let fields: [(String, String)] = [
                ("username", "dora"), ("email", "dora@example.com"), ("full_name", "Dora D"),
                ("password", "Dora-pass-123"), ("role", "user"),
            ]
            let created = try await admin.post("/dashboard/admin/users", fields, csrf: list.csrf)
            #expect(created.status == .seeOther)
            let detailPath = try #require(created.location)
            #expect(detailPath.hasPrefix("/dashboard/admin/users/"))
            let detail = try await admin.get(detailPath)
            #expect(detail.status == .ok)
            #expect(detail.contains("<h1>dora</h1>"))
            #expect(detail.contains("Created user dora."))
            let total = try await Self.userCount(gantry, token: token)
            #expect(total == 2)

            // Bad input: the form comes back with the message and the values (never the password).
            let duplicate = try await admin.post(
                "/dashboard/admin/users",
                [
                    ("username", "dora"), ("email", "other@example.com"), ("password", "Secret-pass-987"),
                    ("role", "user"),
                ],
                csrf: list.csrf)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.contains("A user with this username already exists"))
            #expect(duplicate.contains("value=\"other@example.com\""))
            #expect(duplicate.contains("aria-invalid=\"true\""))
            #expect(!duplicate.contains("Secret-pass-987"))
            let weak = try await admin.post(
                "/dashboard/admin/users",
                [("username", "erin"), ("email", "erin@example.com"), ("password", "short"), ("role", "user")],
                csrf: list.csrf)
            #expect(weak.status == .badRequest)
            #expect(weak.contains("id=\"new-password-error\""))
            let badName = try await admin.post(
                "/dashboard/admin/users",
                [
                    ("username", "Erin!"), ("email", "erin@example.com"), ("password", "Erin-pass-123"),
                    ("role", "user"),
                ],
                csrf: list.csrf)
            #expect(badName.status == .badRequest)
            #expect(badName.contains("id=\"new-username-error\""))
            let forged = try await admin.post(
                "/dashboard/admin/users",
                [
                    ("username", "erin"), ("email", "erin@example.com"), ("password", "Erin-pass-123"),
                    ("role", "admin"), ("_csrf", "deadbeef"),
                ],
                csrf: nil)
            #expect(forged.status == .forbidden)
            #expect(try await Self.userCount(gantry, token: token) == 2, "nothing was created")

            // The new user signs in; admin pages and admin forms answer 403.
            let dora = DashboardSession(gantry)
            let overview = try await dora.signIn("dora", "Dora-pass-123")
            #expect(overview.status == .ok)
            #expect(!overview.contains("href=\"/dashboard/admin/users\""), "no admin navigation for users")
            let doraID = String(detailPath.dropFirst("/dashboard/admin/users/".count))
            for path in ["/dashboard/admin/users", "/dashboard/admin/users/\(doraID)", "/dashboard/admin/images"] {
                let refused = try await dora.get(path)
                #expect(refused.status == .forbidden, "\(path)")
                #expect(refused.contains("Not allowed"))
            }
            let posts: [(String, [(String, String)])] = [
                ("/dashboard/admin/users", fields.map { $0.0 == "username" ? ($0.0, "mallory") : $0 }),
                ("/dashboard/admin/users/\(doraID)", [("role", "admin"), ("active", "true")]),
                ("/dashboard/admin/users/\(doraID)/activate", []),
                ("/dashboard/admin/images", [("name", "evil"), ("reference", "evil:1"), ("port", "80")]),
                ("/dashboard/admin/images/nginx/delete", [("confirm", "yes")]),
            ]
            for (path, form) in posts {
                #expect(try await dora.post(path, form, csrf: overview.csrf).status == .forbidden, "\(path)")
            }
            let doraJSON = try await gantry.request(.get, "/api/v1/users/\(doraID)", token: token)
            #expect(doraJSON["role"] as? String == "user")
            #expect(try await Self.userCount(gantry, token: token) == 2)
            #expect(try await gantry.request(.get, "/api/v1/images/nginx", token: token).status == .ok)

            // Deactivating: the confirm page first without JavaScript, then her session ends.
            let confirm = try await admin.post(
                "/dashboard/admin/users/\(doraID)/deactivate", [("return_to", "/dashboard/admin/users")],
                csrf: list.csrf)
            #expect(confirm.status == .ok)
            #expect(confirm.contains("id=\"confirm-message\">Deactivate dora?"))
            #expect(try await dora.get("/dashboard").status == .ok, "not deactivated before confirming")
            let deactivated = try await admin.post(
                "/dashboard/admin/users/\(doraID)/deactivate",
                [("return_to", "/dashboard/admin/users"), ("confirm", "yes")], csrf: list.csrf)
            #expect(deactivated.status == .seeOther)
            #expect(deactivated.location == "/dashboard/admin/users")
            let after = try await dora.get("/dashboard/instances")
            #expect(after.status == .seeOther)
            #expect(after.location?.hasPrefix("/dashboard/login") == true)
            let inactive = try await gantry.request(.get, "/api/v1/users/\(doraID)", token: token)
            #expect(inactive["is_active"] as? Bool == false)
            let table = try await admin.get("/dashboard/admin/users")
            #expect(table.contains("action=\"/dashboard/admin/users/\(doraID)/activate\""))

            let activated = try await admin.post(
                "/dashboard/admin/users/\(doraID)/activate", [("return_to", "/dashboard/admin/users")], csrf: list.csrf)
            #expect(activated.status == .seeOther)
            #expect(
                try await gantry.request(.get, "/api/v1/users/\(doraID)", token: token)["is_active"] as? Bool == true)
            #expect(try await DashboardSession(gantry).signIn("dora", "Dora-pass-123").status == .ok)
        }
    }

    @Test func adminChangesRoleAndQuotaAndBadValuesChangeNothing() async throws {
        try await TestGantry.run { gantry in
            let token = try await gantry.adminToken()
            let (id, _) = try await gantry.createUser("frank", adminToken: token)
            let admin = DashboardSession(gantry)
            let csrf = try #require(try await admin.signInAsAdmin().csrf)
            let path = "/dashboard/admin/users/\(id)"

            let page = try await admin.get(path)
            #expect(page.status == .ok)
            #expect(page.contains("<label for=\"quota-cpu\">"))
            #expect(page.contains("the installation default"))
            #expect(page.contains("class=\"usage-meter\""))

            let saved = try await admin.post(
                path,
                [
                    ("full_name", "Frank F"), ("role", "admin"), ("active", "true"), ("instances", "7"),
                    ("cpu", "2.5"), ("memory_mb", ""), ("gpus", "1"),
                ],
                csrf: csrf)
            #expect(saved.status == .seeOther)
            #expect(saved.location == path)
            var user = try await gantry.request(.get, "/api/v1/users/\(id)", token: token)
            #expect(user["role"] as? String == "admin")
            #expect(user["full_name"] as? String == "Frank F")
            var quota = try #require(user["quota_override"] as? [String: Any])
            #expect(quota["instances"] as? Int == 7)
            #expect(quota["cpu"] as? Double == 2.5)
            #expect(quota["gpus"] as? Int == 1)
            #expect(quota["memory_mb"] == nil, "an empty field keeps the default")
            let report = try await gantry.request(.get, "/api/v1/users/\(id)/quota", token: token)
            #expect(report.status == .ok)
            let shown = try await admin.get(path)
            #expect(shown.contains("value=\"7\""))
            #expect(shown.contains("(set for this user)"))

            // A negative quota, a non-number and an unknown role: 400, nothing changed.
            for form in [
                [("role", "user"), ("active", "true"), ("instances", "-1"), ("cpu", "2.5")],
                [("role", "user"), ("active", "true"), ("instances", "7"), ("cpu", "lots")],
                [("role", "root"), ("active", "true"), ("instances", "3")],
            ] {
                let refused = try await admin.post(path, form + [("full_name", "Changed")], csrf: csrf)
                #expect(refused.status == .badRequest, "\(form)")
                #expect(refused.contains("class=\"field-error\""))
                #expect(refused.contains("role=\"alert\""))
            }
            let negative = try await admin.post(
                path, [("role", "user"), ("active", "true"), ("instances", "-1")], csrf: csrf)
            #expect(negative.contains("Quota instances must be between 0 and 1000000"))
            #expect(negative.contains("value=\"-1\""), "the submitted values are kept")
            user = try await gantry.request(.get, "/api/v1/users/\(id)", token: token)
            #expect(user["role"] as? String == "admin")
            #expect(user["full_name"] as? String == "Frank F")
            quota = try #require(user["quota_override"] as? [String: Any])
            #expect(quota["instances"] as? Int == 7)

            // Admins cannot demote themselves; the form says so.
            let adminID = try Self.userID("admin", on: try await admin.get("/dashboard/admin/users"))
            let demote = try await admin.post(
                "/dashboard/admin/users/\(adminID)", [("role", "user"), ("active", "true")], csrf: csrf)
            #expect(demote.status == .conflict)
            #expect(demote.contains("Admins cannot deactivate or demote themselves"))
            #expect(
                try await gantry.request(.get, "/api/v1/users/\(adminID)", token: token)["role"] as? String == "admin")

            // A wrong CSRF token changes nothing.
            let forged = try await admin.post(
                path, [("role", "user"), ("active", "false"), ("_csrf", String(repeating: "0", count: 64))], csrf: nil)
            #expect(forged.status == .forbidden)
            user = try await gantry.request(.get, "/api/v1/users/\(id)", token: token)
            #expect(user["role"] as? String == "admin")
            #expect(user["is_active"] as? Bool == true)

            // Back to the defaults: every quota field empty.
            let cleared = try await admin.post(
                path, [("role", "user"), ("active", "true"), ("instances", ""), ("cpu", ""), ("gpus", "")], csrf: csrf)
            #expect(cleared.status == .seeOther)
            user = try await gantry.request(.get, "/api/v1/users/\(id)", token: token)
            #expect(user["role"] as? String == "user")
            #expect(user["quota_override"] == nil)
            #expect(try await admin.get("/dashboard/admin/users/not-a-uuid").status == .notFound)
        }
    }

    @Test func adminAddsAndDeletesCatalogImages() async throws {
        try await TestGantry.run { gantry in
            let token = try await gantry.adminToken()
            let admin = DashboardSession(gantry)
            let csrf = try #require(try await admin.signInAsAdmin().csrf)

            let page = try await admin.get("/dashboard/admin/images")
            #expect(page.status == .ok)
            #expect(page.contains("<h1>Images</h1>"))
            #expect(page.contains("<code class=\"mono\">nginx:1.25</code>"))
            #expect(page.contains("<label for=\"image-reference\">"))

            let added = try await admin.post(
                "/dashboard/admin/images",
                [
                    ("name", "redis-7"), ("display_name", "Redis 7"), ("reference", "redis:7"), ("port", "6379"),
                    ("description", "Key-value store"),
                ],
                csrf: csrf)
            #expect(added.status == .seeOther)
            #expect(added.location == "/dashboard/admin/images")
            let image = try await gantry.request(.get, "/api/v1/images/redis-7", token: token)
            #expect(image.status == .ok)
            #expect(image["reference"] as? String == "redis:7")
            #expect(image["port"] as? Int == 6379)
            #expect(image["display_name"] as? String == "Redis 7")
            let listed = try await admin.get("/dashboard/admin/images")
            #expect(listed.contains("data-row-id=\"redis-7\""))
            #expect(listed.contains("Added redis-7 to the catalog."))

            let duplicate = try await admin.post(
                "/dashboard/admin/images", [("name", "redis-7"), ("reference", "redis:8"), ("port", "6379")],
                csrf: csrf)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.contains("id=\"image-name-error\""))
            #expect(duplicate.contains("value=\"redis:8\""))
            for form in [
                [("name", "bad-port"), ("reference", "x:1"), ("port", "http")],
                [("name", "bad-port"), ("reference", "x:1"), ("port", "70000")],
                [("name", "Bad Name"), ("reference", "x:1"), ("port", "80")],
                [("name", "bad-ref"), ("reference", "has space"), ("port", "80")],
            ] {
                let refused = try await admin.post("/dashboard/admin/images", form, csrf: csrf)
                #expect(refused.status == .badRequest, "\(form)")
                #expect(refused.contains("class=\"field-error\""))
            }
            #expect(
                try await gantry.request(.get, "/api/v1/images/redis-7", token: token)["reference"] as? String
                    == "redis:7")
            #expect(try await gantry.request(.get, "/api/v1/images/bad-port", token: token).status == .notFound)
            #expect(try await gantry.request(.get, "/api/v1/images/bad-ref", token: token).status == .notFound)

            // Delete: without confirm=yes the server asks first; a forged token is refused.
            let confirm = try await admin.post("/dashboard/admin/images/redis-7/delete", [], csrf: csrf)
            #expect(confirm.status == .ok)
            #expect(confirm.contains("name=\"confirm\" value=\"yes\""))
            let forged = try await admin.post(
                "/dashboard/admin/images/redis-7/delete", [("confirm", "yes"), ("_csrf", "bad")], csrf: nil)
            #expect(forged.status == .forbidden)
            #expect(try await gantry.request(.get, "/api/v1/images/redis-7", token: token).status == .ok)
            let deleted = try await admin.post(
                "/dashboard/admin/images/redis-7/delete", [("confirm", "yes")], csrf: csrf)
            #expect(deleted.status == .seeOther)
            #expect(try await gantry.request(.get, "/api/v1/images/redis-7", token: token).status == .notFound)
            let again = try await admin.post("/dashboard/admin/images/redis-7/delete", [("confirm", "yes")], csrf: csrf)
            #expect(again.status == .notFound)
        }
    }

    @Test func apiKeysAreShownOnceWorkAndCanBeRevoked() async throws {
        try await TestGantry.run { gantry in
            let token = try await gantry.adminToken()
            _ = try await gantry.createUser("gina", adminToken: token)
            let gina = DashboardSession(gantry)
            let csrf = try #require(try await gina.signIn("gina", "secret-gina-1").csrf)

            let account = try await gina.get("/dashboard/account")
            #expect(account.status == .ok)
            #expect(account.contains("<h1>Account</h1>"))
            #expect(account.contains("No API keys yet"))
            #expect(account.contains("class=\"usage-meter\""))

            let created = try await gina.post("/dashboard/account/api-keys", [("name", "laptop CLI")], csrf: csrf)
            #expect(created.status == .created)
            #expect(created.headers[.cacheControl] == "no-store")
            #expect(created.location == nil)
            #expect(created.contains("not shown again"))
            #expect(created.contains("data-copy=\"#new-api-key\""))
            let key = try #require(
                DashboardSession.Page.firstMatch(
                    #"<code id="new-api-key" class="mono">([^<]+)</code>"#, in: created.html))
            #expect(!created.setCookies.contains { $0.contains(key) })

            let me = try await gantry.request(.get, "/api/v1/users/me", headers: [HTTPField.Name("X-API-Key")!: key])
            #expect(me.status == .ok)
            #expect(me["username"] as? String == "gina")

            let later = try await gina.get("/dashboard/account")
            #expect(!later.contains(key), "the token is shown once")
            #expect(later.contains("laptop CLI"))
            #expect(later.contains(String(key.prefix(10))))
            let keyID = try #require(
                DashboardSession.Page.firstMatch(#"/dashboard/account/api-keys/([0-9a-f-]{36})/delete"#, in: later.html)
            )

            let blank = try await gina.post("/dashboard/account/api-keys", [("name", "  ")], csrf: csrf)
            #expect(blank.status == .badRequest)
            #expect(blank.contains("id=\"api-key-name-error\""))
            let forged = try await gina.post(
                "/dashboard/account/api-keys", [("name", "x"), ("_csrf", "00")], csrf: nil)
            #expect(forged.status == .forbidden)
            let keys = try await gantry.request(
                .get, "/api/v1/api-keys", token: try await gantry.login("gina", "secret-gina-1"))
            #expect(keys["total"] as? Int == 1)

            let confirm = try await gina.post("/dashboard/account/api-keys/\(keyID)/delete", [], csrf: csrf)
            #expect(confirm.status == .ok)
            #expect(confirm.contains("Revoke the API key laptop CLI"))
            let revoked = try await gina.post(
                "/dashboard/account/api-keys/\(keyID)/delete", [("confirm", "yes")], csrf: csrf)
            #expect(revoked.status == .seeOther)
            #expect(revoked.location == "/dashboard/account")
            let refused = try await gantry.request(
                .get, "/api/v1/users/me", headers: [HTTPField.Name("X-API-Key")!: key])
            #expect(refused.status == .unauthorized)
            #expect(try await gina.get("/dashboard/account").contains("No API keys yet"))
        }
    }

    @Test func sshKeysAreAddedAndDeleted() async throws {
        try await TestGantry.run { gantry in
            let token = try await gantry.adminToken()
            _ = try await gantry.createUser("hank", adminToken: token)
            let hankToken = try await gantry.login("hank", "secret-hank-1")
            let hank = DashboardSession(gantry)
            let csrf = try #require(try await hank.signIn("hank", "secret-hank-1").csrf)
            #expect(try await hank.get("/dashboard/account").contains("No SSH keys yet"))

            let added = try await hank.post(
                "/dashboard/account/ssh-keys", [("name", ""), ("public_key", Self.publicKey + "\n")], csrf: csrf)
            #expect(added.status == .seeOther)
            #expect(added.location == "/dashboard/account")
            let page = try await hank.get("/dashboard/account")
            #expect(page.contains("<td>me@laptop</td>"), "the name defaults to the key's comment")
            #expect(page.contains("SHA256:"))
            let keys = try await gantry.request(.get, "/api/v1/users/me/ssh-keys", token: hankToken)
            #expect(keys["total"] as? Int == 1)
            let keyID = try #require(
                DashboardSession.Page.firstMatch(#"/dashboard/account/ssh-keys/([0-9a-f-]{36})/delete"#, in: page.html))

            let duplicate = try await hank.post(
                "/dashboard/account/ssh-keys", [("name", "again"), ("public_key", Self.publicKey)], csrf: csrf)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.contains("is already registered"))
            #expect(duplicate.contains("value=\"again\""))
            let invalid = try await hank.post(
                "/dashboard/account/ssh-keys", [("name", "bad"), ("public_key", "not a key")], csrf: csrf)
            #expect(invalid.status == .badRequest)
            #expect(invalid.contains("id=\"ssh-public-key-error\""))
            #expect(invalid.contains(">not a key</textarea>"))
            let forged = try await hank.post(
                "/dashboard/account/ssh-keys", [("public_key", Self.publicKey), ("_csrf", "nope")], csrf: nil)
            #expect(forged.status == .forbidden)
            #expect(try await gantry.request(.get, "/api/v1/users/me/ssh-keys", token: hankToken)["total"] as? Int == 1)

            let confirm = try await hank.post("/dashboard/account/ssh-keys/\(keyID)/delete", [], csrf: csrf)
            #expect(confirm.status == .ok)
            #expect(confirm.contains("Delete the SSH key me@laptop"))
            let deleted = try await hank.post(
                "/dashboard/account/ssh-keys/\(keyID)/delete", [("confirm", "yes")], csrf: csrf)
            #expect(deleted.status == .seeOther)
            #expect(try await gantry.request(.get, "/api/v1/users/me/ssh-keys", token: hankToken)["total"] as? Int == 0)
            let gone = try await hank.post(
                "/dashboard/account/ssh-keys/\(keyID)/delete", [("confirm", "yes")], csrf: csrf)
            #expect(gone.status == .notFound)
        }
    }
}
