import Foundation
import Testing

@Suite struct BadInputTests {
    @Test func malformedOrMistypedLaunchesGet400AndCreateNothing() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let cases: [(String, Any)] = [
                ("malformed JSON", "{\"name\": "),
                ("wrong type", ["name": "x", "image": "httpd", "cpu": "lots", "memory_mb": 64]),
                ("missing field", ["name": "x", "image": "httpd", "cpu": 1]),
                ("bad name", ["name": "Bad_Name", "image": "httpd", "cpu": 1, "memory_mb": 64]),
                ("tiny cpu", ["name": "x", "image": "httpd", "cpu": 0.01, "memory_mb": 64]),
                ("negative memory", ["name": "x", "image": "httpd", "cpu": 1, "memory_mb": -5]),
            ]
            for (label, body) in cases {
                let response: APIResponse
                if let raw = body as? String {
                    response = try await gantry.request(.post, "/api/v1/instances", token: admin, rawBody: raw)
                } else {
                    response = try await gantry.request(.post, "/api/v1/instances", token: admin, json: body)
                }
                #expect(response.status == .badRequest, "\(label): \(response.status) \(response.text)")
                #expect(response.errorCode != nil, "\(label): error body must carry a code")
                #expect(response["detail"] is String, "\(label): error body must carry a detail")
            }
            // An image the catalog does not have is a 404, like a job's unknown plugin.
            let unknown = try await gantry.launch("x", token: admin, image: "nope")
            #expect(unknown.status == .notFound, "\(unknown.text)")
            #expect(unknown.errorCode == "unknown_image")
            #expect(try await gantry.request(.get, "/api/v1/instances", token: admin)["total"] as? Int == 0)
        }
    }

    @Test func unknownRoutesAndIdsGetJSON404() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let route = try await gantry.request(.get, "/api/v1/nothing-here", token: admin)
            #expect(route.status == .notFound)
            #expect(route.errorCode == "not_found")
            let id = try await gantry.request(.get, "/api/v1/instances/\(UUID().uuidString)", token: admin)
            #expect(id.status == .notFound)
            let garbage = try await gantry.request(.get, "/api/v1/instances/not-a-uuid", token: admin)
            #expect(garbage.status == .notFound)
            let pageLimit = try await gantry.request(.get, "/api/v1/instances?limit=0", token: admin)
            #expect(pageLimit.status == .badRequest)
            let pageSkip = try await gantry.request(.get, "/api/v1/instances?skip=-1", token: admin)
            #expect(pageSkip.status == .badRequest)
        }
    }

    /// No field of the API is nullable: a `null` is a 400 naming the field, not a field left out,
    /// and nothing changes; inside a job's free-form input it is just a value.
    @Test func nullInATypedFieldGets400AndChangesNothing() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let bob = try await gantry.createUser("bob", adminToken: admin, quota: ["cpu": 3])
            let before = try await gantry.request(.get, "/api/v1/users/\(bob.id)/quota", token: admin)
            let patched = try await gantry.request(
                .patch, "/api/v1/users/\(bob.id)", token: admin, rawBody: #"{"quota":{"cpu":null}}"#)
            #expect(patched.status == .badRequest, "\(patched.text)")
            #expect(patched.errorCode == "invalid_request")
            #expect((patched["detail"] as? String ?? "").contains("quota.cpu is null"), "\(patched.text)")
            let after = try await gantry.request(.get, "/api/v1/users/\(bob.id)/quota", token: admin)
            #expect(after.text == before.text)
            let launch = try await gantry.request(
                .post, "/api/v1/instances", token: admin,
                rawBody: #"{"name":"x","image":"httpd","cpu":1,"memory_mb":64,"gpus":null}"#)
            #expect(launch.status == .badRequest, "\(launch.text)")
            #expect((launch["detail"] as? String ?? "").contains("gpus is null"), "\(launch.text)")
            #expect(try await gantry.request(.get, "/api/v1/instances", token: admin)["total"] as? Int == 0)
            let job = try await gantry.request(
                .post, "/api/v1/jobs", token: admin, rawBody: #"{"plugin_name":"none","input_data":{"a":null}}"#)
            #expect(job.status == .notFound, "\(job.text)")
        }
    }

    /// Lengths are counted as openapi.yaml's `maxLength` counts them (code points), on updates as
    /// on creation: 150 accented letters written with combining accents are 300 code points.
    @Test func fullNamesPastTheSpecsMaximumGet400OnUpdateToo() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let bob = try await gantry.createUser("bob", adminToken: admin)
            for name in [String(repeating: "0", count: 201), String(repeating: "e\u{301}", count: 150)] {
                let patched = try await gantry.request(
                    .patch, "/api/v1/users/\(bob.id)", token: admin, json: ["full_name": name])
                #expect(patched.status == .badRequest, "\(patched.text)")
            }
            let fits = try await gantry.request(
                .patch, "/api/v1/users/\(bob.id)", token: admin, json: ["full_name": String(repeating: "0", count: 200)]
            )
            #expect(fits.status == .ok, "\(fits.text)")
            let user = try await gantry.request(.get, "/api/v1/users/\(bob.id)", token: admin)
            #expect((user["full_name"] as? String)?.count == 200)
        }
    }

    /// A body with a key twice is refused (parsers disagree on which one wins), and a body of
    /// the wrong JSON type is described in JSON's words, not Swift's; nothing is created.
    @Test func duplicateKeysAndWrongBodyTypesGet400() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let twice = try await gantry.request(
                .post, "/api/v1/users", token: admin,
                rawBody:
                    #"{"email":"eve@example.com","username":"eve","password":"eve-pass-12","role":"user","role":"admin"}"#
            )
            #expect(twice.status == .badRequest)
            #expect(twice.errorCode == "duplicate_key")
            #expect((twice["detail"] as? String ?? "").contains("'role'"), "\(twice.text)")
            let escaped = try await gantry.request(
                .post, "/api/v1/auth/token", rawBody: #"{"username":"admin","password":"x","\u0070assword":"y"}"#)
            #expect(escaped.status == .badRequest)
            #expect(escaped.errorCode == "duplicate_key")
            let nested = try await gantry.request(
                .post, "/api/v1/jobs", token: admin,
                rawBody: #"{"plugin_name":"none","input_data":{"features":[1],"features":[2]}}"#)
            #expect(nested.status == .badRequest)
            #expect((nested["detail"] as? String ?? "").contains("input_data"), "\(nested.text)")

            for body in ["[]", "[1,2]", "\"text\"", "42"] {
                let wrong = try await gantry.request(.post, "/api/v1/users", token: admin, rawBody: body)
                #expect(wrong.status == .badRequest, "\(body)")
                let detail = wrong["detail"] as? String ?? ""
                for swiftName in ["Dictionary", "Array<", "Components", "Schemas", "Swift."] {
                    #expect(!detail.contains(swiftName), "\(body): \(detail)")
                }
            }
            #expect(try await gantry.request(.get, "/api/v1/users", token: admin)["total"] as? Int == 1)
        }
    }

    /// A public key belongs to one account: whoever holds the private key is that user, so a
    /// second account cannot claim it. Malformed keys and names are 400s; nothing is stored.
    @Test func sshKeysBelongToOneAccountAndBadOnesGet400() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let alice = try await gantry.createUser("alice", adminToken: admin)
            let bob = try await gantry.createUser("bob", adminToken: admin)
            let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKnt5hu8zLLN9sdwcLc8oXBhnSehmQtcMsK7Ru3+64l2 alice@laptop"
            func add(_ token: String, _ body: [String: Any]) async throws -> APIResponse {
                try await gantry.request(.post, "/api/v1/users/me/ssh-keys", token: token, json: body)
            }
            #expect(try await add(alice.token, ["name": "laptop", "public_key": key]).status == .created)
            let stolen = try await add(bob.token, ["name": "mine", "public_key": key])
            #expect(stolen.status == .conflict)
            #expect(!stolen.text.contains("alice"))
            let truncated = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKnt5hu8zLLN9sdwcLc8oXBhnSehmQtcMsK7Ru3+"
            let other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C7okWi0dh2l9GKJl"
            for body: [String: Any] in [
                ["name": "cut", "public_key": truncated], ["name": "two", "public_key": other + " " + key],
                ["name": "nul\u{0}", "public_key": other], ["name": "lines", "public_key": other + "\n" + other],
            ] {
                let refused = try await add(bob.token, body)
                #expect(refused.status == .badRequest, "\(body): \(refused.text)")
            }
            #expect(try await gantry.request(.get, "/api/v1/users/me/ssh-keys", token: bob.token)["total"] as? Int == 0)
        }
    }

    /// A method a declared path does not have is a 405 that says which it has, never a 404, and
    /// changes nothing.
    /// A query parameter that is not a whole number is a 400 naming it (not "request body"), and
    /// a request the spec allows but the state refuses is a 409 that changes nothing.
    @Test func badQueryParametersAreNamedAndStateRefusalsAre409() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            for query in ["skip=99999999999999999999", "limit=abc", "skip=1000000001"] {
                let listed = try await gantry.request(.get, "/api/v1/users?\(query)", token: admin)
                #expect(listed.status == .badRequest, "\(query)")
                let name = String(query.prefix { $0 != "=" })
                #expect(listed.text.contains(name) && !listed.text.contains("body"), "\(query): \(listed.text)")
            }
            let me = try await gantry.request(.get, "/api/v1/users/me", token: admin)
            let id = try #require(me["id"] as? String)
            let demoted = try await gantry.request(.patch, "/api/v1/users/\(id)", token: admin, json: ["role": "user"])
            #expect(demoted.status == .conflict)
            #expect(demoted.errorCode == "self_demotion")
            #expect(try await gantry.request(.get, "/api/v1/users/me", token: admin)["role"] as? String == "admin")
        }
    }

    @Test func undeclaredMethodsGet405WithAllow() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let put = try await gantry.request(.put, "/api/v1/instances", token: admin, json: ["name": "x"])
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "GET, POST")
            #expect(put.errorCode == "method_not_allowed")
            let trace = try await gantry.request(.trace, "/api/v1/instances/\(UUID().uuidString)", token: admin)
            #expect(trace.status == .methodNotAllowed)
            #expect(trace.headers[.allow] == "DELETE, GET")
            // A literal segment is matched before a capture, as the router does.
            let me = try await gantry.request(.delete, "/api/v1/users/me", token: admin)
            #expect(me.status == .methodNotAllowed)
            #expect(me.headers[.allow] == "GET")
            let health = try await gantry.request(.post, "/health")
            #expect(health.status == .methodNotAllowed)
            #expect(health.headers[.allow] == "GET")
            let page = try await gantry.request(.put, "/dashboard/login")
            #expect(page.status == .methodNotAllowed)
            #expect(page.headers[.allow] == "GET, POST")
            // Unknown paths stay 404s; declared methods are untouched.
            #expect(try await gantry.request(.put, "/api/v1/nothing-here", token: admin).status == .notFound)
            #expect(try await gantry.request(.get, "/api/v1/instances", token: admin)["total"] as? Int == 0)
        }
    }

    @Test func anEngineThatIsDownGets503AndNothingIsCreated() async throws {
        let socket = "unix:///tmp/\(TestEnvironment.uniqueName("no-docker")).sock"
        try await TestGantry.run(environment: ["GANTRY_DOCKER_HOST": socket]) { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let launched = try await gantry.launch("x", token: admin)
            #expect(launched.status == .serviceUnavailable, "\(launched.text)")
            #expect(launched.errorCode == "engine_unavailable")
            #expect(try await gantry.request(.get, "/api/v1/instances", token: admin)["total"] as? Int == 0)
            let nodes = try await gantry.request(.get, "/api/v1/nodes", token: admin)
            #expect(((nodes["items"] as? [[String: Any]])?.first)?["status"] as? String == "offline")
            let ready = try await gantry.request(.get, "/readyz")
            #expect(ready.status == .serviceUnavailable)
            #expect(((ready["checks"] as? [String: Any])?["database"]) as? String == "ok")
        }
    }

    @Test func nonAdminsCannotManageTheCatalog() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let (_, alice) = try await gantry.createUser("alice", adminToken: admin)
            let add = try await gantry.request(
                .post, "/api/v1/images", token: alice, json: ["name": "mine", "reference": "x:1", "port": 80])
            #expect(add.status == .forbidden)
            #expect(try await gantry.request(.delete, "/api/v1/images/nginx", token: alice).status == .forbidden)
            let badPort = try await gantry.request(
                .post, "/api/v1/images", token: admin, json: ["name": "bad", "reference": "x:1", "port": 70000])
            #expect(badPort.status == .badRequest)
            let duplicate = try await gantry.request(
                .post, "/api/v1/images", token: admin, json: ["name": "nginx", "reference": "x:1", "port": 80])
            #expect(duplicate.status == .conflict)
            // References the engine would refuse never reach the catalog (nor, later, the engine).
            for reference in ["-v", "a:b:c:d", "x@sha256:abc", "Upper/case:1"] {
                let refused = try await gantry.request(
                    .post, "/api/v1/images", token: admin, json: ["name": "odd", "reference": reference, "port": 80])
                #expect(refused.status == .badRequest, "\(reference)")
                #expect(
                    (refused["detail"] as? String ?? "").contains("not a Docker image reference"), "\(refused.text)")
            }
            #expect(try await gantry.request(.get, "/api/v1/images/odd", token: admin).status == .notFound)
            #expect(try await gantry.request(.delete, "/api/v1/images/nginx", token: admin).status == .noContent)
            #expect(try await gantry.request(.get, "/api/v1/images/nginx", token: admin).status == .notFound)
        }
    }
}
