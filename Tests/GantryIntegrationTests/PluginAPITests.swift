import Foundation
import HTTPTypes
import Testing

@Suite("Plugin registry")
struct PluginAPITests {
    @Test("register, list, get, publish a version, delete; admins only; bad input changes nothing")
    func registryLifecycle() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let alice = try await gantry.createUser("alice", adminToken: admin)

            let created = try await gantry.registerPlugin(
                "example-classifier", image: "gantry/classifier:1.0.0", token: admin, input: SeedSchemas.input,
                output: SeedSchemas.output)
            #expect(created["name"] as? String == "example-classifier")
            #expect(created["docker_image_url"] as? String == "gantry/classifier:1.0.0")
            #expect(created["input_mode"] as? String == "stdin")
            #expect(created["id"] is String && created["created_at"] is String)

            // Seed 003's plugin.json names the image docker_image; that works too.
            let manifest = try await gantry.request(
                .post, "/api/v1/plugins", token: admin,
                json: ["name": "echo", "version": "1", "docker_image": "gantry-test/plugin-echo:latest"])
            #expect(manifest.status == .created, "\(manifest.text)")

            let duplicate = try await gantry.request(
                .post, "/api/v1/plugins", token: admin,
                json: ["name": "echo", "version": "2", "docker_image_url": "gantry-test/plugin-echo:latest"])
            #expect(duplicate.status == .conflict)

            let list = try await gantry.request(.get, "/api/v1/plugins?skip=0&limit=10", token: alice.token)
            #expect(list.status == .ok)
            #expect(list["total"] as? Int == 2)
            let filtered = try await gantry.request(.get, "/api/v1/plugins?name=classif", token: alice.token)
            let items = try #require(filtered["items"] as? [[String: Any]])
            #expect(items.map { $0["name"] as? String } == ["example-classifier"])

            let one = try await gantry.request(.get, "/api/v1/plugins/example-classifier", token: alice.token)
            #expect(one.status == .ok)
            #expect((one["input_schema"] as? [String: Any])?["required"] as? [String] == ["features"])
            #expect(try await gantry.request(.get, "/api/v1/plugins/nope", token: alice.token).status == .notFound)

            // A new version through PUT; the same version again is refused.
            let published = try await gantry.request(
                .put, "/api/v1/plugins/echo", token: admin,
                json: ["version": "2", "docker_image_url": "gantry-test/plugin-echo:latest", "timeout_seconds": 5])
            #expect(published.status == .ok, "\(published.text)")
            #expect(published["version"] as? String == "2")
            #expect(published["timeout_seconds"] as? Int == 5)
            let again = try await gantry.request(
                .put, "/api/v1/plugins/echo", token: admin,
                json: ["version": "2", "docker_image_url": "gantry-test/plugin-echo:latest"])
            #expect(again.status == .conflict)
            #expect(again.errorCode == "version_exists")

            // Users cannot write; bad names, schemas and fields are 400; nothing is stored.
            let forbidden = try await gantry.request(
                .post, "/api/v1/plugins", token: alice.token,
                json: ["name": "mine", "version": "1", "docker_image_url": "x/y:1"])
            #expect(forbidden.status == .forbidden)
            for (body, expected) in [
                (["name": "Bad_Name", "version": "1", "docker_image_url": "x/y:1"], "invalid_name"),
                (
                    ["name": String(repeating: "a", count: 101), "version": "1", "docker_image_url": "x/y:1"],
                    "invalid_name"
                ),
                (
                    ["name": "s", "version": "1", "docker_image_url": "x/y:1", "input_schema": ["type": 12]],
                    "invalid_schema"
                ),
                (
                    ["name": "s", "version": "1", "docker_image_url": "x/y:1", "output_schema": ["properties": []]],
                    "invalid_schema"
                ),
                (
                    ["name": "s", "version": "1", "docker_image_url": "x/y:1", "input_mode": "socket"],
                    "invalid_request"
                ),
                (["name": "s", "version": "1"], "invalid_request"),
                (
                    ["name": "s", "version": "1", "docker_image_url": "x/y:1", "input_schema": Self.doublingSchema],
                    "invalid_schema"
                ),
            ] as [([String: Any], String)] {
                let refused = try await gantry.request(.post, "/api/v1/plugins", token: admin, json: body)
                #expect(refused.status == .badRequest, "\(body): \(refused.text)")
                #expect(refused.errorCode == expected, "\(body): \(refused.text)")
            }
            let expensive = try await gantry.request(
                .post, "/api/v1/plugins", token: admin,
                json: ["name": "s", "version": "1", "docker_image_url": "x/y:1", "input_schema": Self.doublingSchema])
            #expect(expensive.json["detail"].map { "\($0)" }?.contains("too expensive to evaluate") == true)
            let schemaError = try await gantry.request(
                .post, "/api/v1/plugins", token: admin,
                json: ["name": "s", "version": "1", "docker_image_url": "x/y:1", "input_schema": ["type": 12]])
            #expect(schemaError.json["detail"].map { "\($0)" }?.contains("/type") == true, "\(schemaError.text)")
            #expect(try await gantry.request(.get, "/api/v1/plugins", token: admin)["total"] as? Int == 2)

            #expect(try await gantry.request(.delete, "/api/v1/plugins/echo", token: alice.token).status == .forbidden)
            #expect(try await gantry.request(.delete, "/api/v1/plugins/echo", token: admin).status == .noContent)
            #expect(try await gantry.request(.delete, "/api/v1/plugins/echo", token: admin).status == .notFound)
            #expect(try await gantry.request(.get, "/api/v1/plugins", token: admin)["total"] as? Int == 1)
            #expect(try await gantry.request(.get, "/api/v1/plugins").status == .unauthorized)
        }
    }

    /// 24 chained definitions, each an allOf of two references to the next: 2^24 evaluations.
    static var doublingSchema: [String: Any] {
        var definitions: [String: Any] = ["d24": ["type": "integer"]]
        for step in 0..<24 {
            definitions["d\(step)"] = ["allOf": [["$ref": "#/$defs/d\(step + 1)"], ["$ref": "#/$defs/d\(step + 1)"]]]
        }
        return ["$ref": "#/$defs/d0", "$defs": definitions]
    }
}
