import Foundation
import Testing

@Suite struct ObservabilityTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func healthReadinessAndMetrics() async throws {
        try await TestGantry.run { gantry in
            for path in ["/health", "/healthz"] {
                let health = try await gantry.request(.get, path)
                #expect(health.status == .ok)
                #expect(health["status"] as? String == "ok")
            }
            let ready = try await gantry.request(.get, "/readyz")
            #expect(ready.status == .ok, "\(ready.text)")
            #expect(ready["checks"] as? [String: String] == ["database": "ok", "engine": "ok"])
            #expect(ready.headers[.init("X-Request-ID")!] != nil)

            let admin = try await gantry.adminToken()
            _ = try await gantry.request(.get, "/api/v1/instances", token: admin)
            let metrics = try await gantry.request(.get, "/metrics")
            #expect(metrics.status == .ok)
            let text = metrics.text
            #expect(text.contains("gantry_http_request_duration_seconds_bucket"))
            #expect(text.contains(#"route="/api/v1/instances""#))
            #expect(text.contains(#"status="200""#))
            #expect(text.contains(#"gantry_instances{state="running"}"#))
            #expect(text.contains(#"gantry_node_cpu_capacity_cores{node="local"}"#))
            #expect(text.contains(#"gantry_node_memory_allocated_bytes{node="local"}"#))
        }
    }

    @Test func nodesAndClusterReportEngineCapacity() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            let nodes = try await gantry.request(.get, "/api/v1/nodes", token: admin)
            let node = try #require((nodes["items"] as? [[String: Any]])?.first)
            #expect(node["name"] as? String == "local")
            #expect(node["status"] as? String == "online")
            #expect(node["address"] as? String == "127.0.0.1")
            let capacity = try #require(node["capacity"] as? [String: Any])
            #expect((capacity["cpu"] as? Double ?? 0) >= 1)
            #expect((capacity["memory_mb"] as? Int ?? 0) > 512)
            let cluster = try await gantry.request(.get, "/api/v1/cluster", token: admin)
            #expect(cluster["online_nodes"] as? Int == 1)
            #expect((cluster["capacity"] as? [String: Any])?["cpu"] as? Double == capacity["cpu"] as? Double)
        }
    }

    @Test func servesItsOpenAPIDocumentValidAndItsDocsPage() async throws {
        try await TestGantry.run { gantry in
            let document = try await gantry.request(.get, "/openapi.json")
            #expect(document.status == .ok)
            #expect((document["paths"] as? [String: Any])?["/api/v1/instances"] != nil)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                TestEnvironment.uniqueName("openapi") + ".json")
            try document.body.write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", "-c",
                """
                import json, sys, yaml
                from openapi_spec_validator import validate
                served = json.load(open(sys.argv[1]))
                validate(served)
                # The served document is the repo's openapi.yaml, not a copy that could drift.
                assert served == json.loads(json.dumps(yaml.safe_load(open(sys.argv[2])), default=str)), "served != openapi.yaml"
                print("valid")
                """,
                file.path, Self.repositoryRoot.appendingPathComponent("openapi.yaml").path,
            ]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            process.waitUntilExit()
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus == 0, "openapi-spec-validator: \(printed)")

            let docs = try await gantry.request(.get, "/docs")
            #expect(docs.status == .ok)
            #expect(docs.text.contains("openapi.json"))
            #expect(!docs.text.contains("https://"), "the docs page must not load anything from a CDN")
        }
    }
}
