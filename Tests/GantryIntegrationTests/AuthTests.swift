import Foundation
import GantryServices
import HTTPTypes
import Testing

@Suite struct AuthTests {
    @Test func adminLogsInWithJSONOrFormAndSeesThemself() async throws {
        try await TestGantry.run { gantry in
            let token = try await gantry.adminToken()
            let me = try await gantry.request(.get, "/api/v1/users/me", token: token)
            #expect(me.status == .ok)
            #expect(me["username"] as? String == "admin")
            #expect(me["role"] as? String == "admin")

            let form = try await gantry.request(
                .post, "/api/v1/auth/token",
                rawBody: "username=admin%40gantry.local&password=\(TestGantry.adminPassword)",
                headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(form.status == .ok, "\(form.text)")
            #expect(form["token_type"] as? String == "bearer")
            #expect(form["expires_in"] as? Int == 3600)
        }
    }

    @Test func wrongPasswordUnknownUserAndMissingFieldsAreRefused() async throws {
        try await TestGantry.run { gantry in
            let wrong = try await gantry.request(
                .post, "/api/v1/auth/token", json: ["username": "admin", "password": "nope1234"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "invalid_credentials")
            let unknown = try await gantry.request(
                .post, "/api/v1/auth/token", json: ["username": "ghost", "password": "x"])
            #expect(unknown.status == .unauthorized)
            let missing = try await gantry.request(.post, "/api/v1/auth/token", json: ["username": "admin"])
            #expect(missing.status == .badRequest)
            #expect(missing.errorCode == "invalid_request")
            let malformed = try await gantry.request(.post, "/api/v1/auth/token", rawBody: "{not json")
            #expect(malformed.status == .badRequest)
        }
    }

    @Test func requestsWithoutOrWithBadCredentialsGet401() async throws {
        try await TestGantry.run { gantry in
            let none = try await gantry.request(.get, "/api/v1/users/me")
            #expect(none.status == .unauthorized)
            #expect(none.errorCode == "not_authenticated")
            let bad = try await gantry.request(.get, "/api/v1/instances", token: "not-a-jwt")
            #expect(bad.status == .unauthorized)
            let badKey = try await gantry.request(
                .get, "/api/v1/instances", headers: [HTTPField.Name("X-API-Key")!: "gk_doesnotexist"])
            #expect(badKey.status == .unauthorized)
        }
    }

    @Test func expiredTokensAreRefused() async throws {
        try await TestGantry.run(environment: ["GANTRY_JWT_SECRET": String(repeating: "s", count: 40)]) { gantry in
            // A token signed with the right secret but expired an hour ago.
            let issuer = await AccessTokenIssuer(secret: String(repeating: "s", count: 40))
            let admin = try #require(try await gantry.store.user(usernameOrEmail: "admin"))
            let expired = try await issuer.issue(for: admin.id, now: Date().addingTimeInterval(-7200))
            let response = try await gantry.request(.get, "/api/v1/users/me", token: expired)
            #expect(response.status == .unauthorized)
            #expect(response.errorCode == "token_expired")
        }
    }

    @Test func usersAreValidatedAndUnique() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            func create(_ body: [String: Any]) async throws -> APIResponse {
                try await gantry.request(.post, "/api/v1/users", token: admin, json: body)
            }
            let good: [String: Any] = ["email": "alice@example.com", "username": "alice", "password": "alice-pass-1"]
            #expect(try await create(good).status == .created)
            let duplicateEmail = try await create([
                "email": "alice@example.com", "username": "alice2", "password": "alice-pass-1",
            ])
            #expect(duplicateEmail.status == .conflict)
            #expect(duplicateEmail.errorCode == "duplicate_email")
            let duplicateName = try await create([
                "email": "a2@example.com", "username": "alice", "password": "alice-pass-1",
            ])
            #expect(duplicateName.status == .conflict)
            #expect(duplicateName.errorCode == "duplicate_username")
            #expect(
                try await create(["email": "bad", "username": "bob", "password": "bob-pass-1"]).status == .badRequest)
            #expect(
                try await create(["email": "b@example.com", "username": "bob", "password": "short"]).status
                    == .badRequest)
            #expect(
                try await create(["email": "b@example.com", "username": "bob", "password": "onlyletters"]).status
                    == .badRequest)
            #expect(
                try await create(["email": "b@example.com", "username": "Bob!", "password": "bob-pass-1"]).status
                    == .badRequest)
            #expect(
                try await create(["email": "b@example.com", "username": 5, "password": "bob-pass-1"]).status
                    == .badRequest)
            // Nothing half-created: only admin and alice exist.
            let list = try await gantry.request(.get, "/api/v1/users", token: admin)
            #expect(list["total"] as? Int == 2)
        }
    }

    @Test func onlyAdminsManageUsersAndDeactivationIsImmediate() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let (aliceID, alice) = try await gantry.createUser("alice", adminToken: admin)
            #expect(try await gantry.request(.get, "/api/v1/users", token: alice).status == .forbidden)
            let selfCreate = try await gantry.request(
                .post, "/api/v1/users", token: alice,
                json: ["email": "m@example.com", "username": "mallory", "password": "mallory-1"])
            #expect(selfCreate.status == .forbidden)
            let anonymous = try await gantry.request(
                .post, "/api/v1/users",
                json: ["email": "m@example.com", "username": "mallory", "password": "mallory-1"])
            #expect(anonymous.status == .unauthorized)

            #expect(try await gantry.request(.get, "/api/v1/users/me", token: alice).status == .ok)
            let deactivate = try await gantry.request(
                .patch, "/api/v1/users/\(aliceID)", token: admin, json: ["is_active": false])
            #expect(deactivate.status == .ok)
            #expect(deactivate["is_active"] as? Bool == false)
            // Her unexpired token stops working at once.
            let refused = try await gantry.request(.get, "/api/v1/users/me", token: alice)
            #expect(refused.status == .unauthorized)
            #expect(refused.errorCode == "user_inactive")
            let login = try await gantry.request(
                .post, "/api/v1/auth/token", json: ["username": "alice", "password": "secret-alice-1"])
            #expect(login.status == .unauthorized)
        }
    }

    @Test func apiKeysAreShownOnceStoredHashedAndRevocable() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let (_, alice) = try await gantry.createUser("alice", adminToken: admin)
            let created = try await gantry.request(.post, "/api/v1/api-keys", token: alice, json: ["name": "ci"])
            #expect(created.status == .created)
            let key = try #require(created["token"] as? String)
            let keyID = try #require(created["id"] as? String)

            let viaHeader = try await gantry.request(
                .get, "/api/v1/users/me", headers: [HTTPField.Name("X-API-Key")!: key])
            #expect(viaHeader["username"] as? String == "alice")
            let viaBearer = try await gantry.request(.get, "/api/v1/users/me", token: key)
            #expect(viaBearer["username"] as? String == "alice")

            let list = try await gantry.request(.get, "/api/v1/api-keys", token: alice)
            #expect(list["total"] as? Int == 1)
            #expect(!list.text.contains(key), "listing must never show the token")
            let stored = try await gantry.store.apiKeys(
                ownerID: try #require(try await gantry.store.user(usernameOrEmail: "alice")).id)
            #expect(stored.first?.tokenHash != key)
            #expect(stored.first?.tokenHash.count == 64)

            let otherUsersDelete = try await gantry.request(.delete, "/api/v1/api-keys/\(keyID)", token: admin)
            #expect(otherUsersDelete.status == .notFound)
            #expect(try await gantry.request(.delete, "/api/v1/api-keys/\(keyID)", token: alice).status == .noContent)
            let revoked = try await gantry.request(
                .get, "/api/v1/users/me", headers: [HTTPField.Name("X-API-Key")!: key])
            #expect(revoked.status == .unauthorized)
        }
    }
}
