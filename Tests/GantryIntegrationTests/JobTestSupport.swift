import Foundation
import GantryTestSupport
import HTTPTypes
import Testing

/// Plugins and jobs through the API, for the job tests.
extension TestGantry {
    /// Settings that keep job tests quick: no rate limit, short backoff, lease and checks.
    static let jobEnvironment: [String: String] = [
        "GANTRY_RATE_LIMIT_JOBS_PER_MINUTE": "0",
        "GANTRY_JOB_BACKOFF": "100ms",
        "GANTRY_JOB_LEASE": "15s",
        "GANTRY_JOB_CHECK_INTERVAL": "250ms",
        "GANTRY_JOB_CONCURRENCY": "4",
    ]

    /// Registers `image` as plugin `name` and returns the answer.
    @discardableResult
    func registerPlugin(
        _ name: String, image: String, token: String, version: String = "1.0.0", input: [String: Any]? = nil,
        output: [String: Any]? = nil, timeout: Int? = nil, inputMode: String? = nil, extra: [String: Any] = [:]
    ) async throws -> APIResponse {
        var body: [String: Any] = ["name": name, "version": version, "docker_image_url": image]
        if let input { body["input_schema"] = input }
        if let output { body["output_schema"] = output }
        if let timeout { body["timeout_seconds"] = timeout }
        if let inputMode { body["input_mode"] = inputMode }
        body["resources"] = ["cpu": 0.5, "memory_mb": 64]
        body.merge(extra) { _, new in new }
        let response = try await request(.post, "/api/v1/plugins", token: token, json: body)
        #expect(response.status == .created, "register \(name) failed: \(response.text)")
        return response
    }

    func submitJob(_ plugin: String, input: Any, token: String) async throws -> APIResponse {
        try await request(.post, "/api/v1/jobs", token: token, json: ["plugin_name": plugin, "input_data": input])
    }

    /// Submits and returns the job id, expecting 202.
    func submitJobID(_ plugin: String, input: Any, token: String) async throws -> String {
        let response = try await submitJob(plugin, input: input, token: token)
        #expect(response.status == .accepted, "submit failed: \(response.text)")
        return try #require(response["id"] as? String)
    }

    /// Waits until the job is completed or failed and returns it.
    func finishedJob(_ id: String, token: String, timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        let done = try await eventually(timeout: timeout, every: .milliseconds(100)) {
            last = try await request(.get, "/api/v1/jobs/\(id)", token: token).json
            let status = last["status"] as? String
            return status == "completed" || status == "failed"
        }
        #expect(done, "job \(id) did not finish: \(last)")
        return last
    }

    func job(_ id: String, token: String) async throws -> [String: Any] {
        try await request(.get, "/api/v1/jobs/\(id)", token: token).json
    }
}

/// The classifier example's schemas (seed 003).
enum SeedSchemas {
    static var input: [String: Any] {
        [
            "type": "object",
            "properties": [
                "features": ["type": "array", "items": ["type": "number"]],
                "model_params": ["type": "object"],
            ],
            "required": ["features"],
        ]
    }
    static var output: [String: Any] {
        [
            "type": "object",
            "properties": [
                "prediction": ["type": "string"], "confidence": ["type": "number"], "metadata": ["type": "object"],
            ],
            "required": ["prediction"],
        ]
    }
}
