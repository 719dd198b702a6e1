import Foundation
import GantryCore
import GantryServices
import GantryTestSupport
import HTTPTypes
import Testing

@Suite("Jobs on the durable queue")
struct JobAPITests {
    @Test(
        "a classifier job runs in a container and completes with its result (seed 003 shapes)",
        arguments: DatabaseKind.allCases)
    func classifierCompletes(kind: DatabaseKind) async throws {
        try await TestGantry.run(kind, environment: TestGantry.jobEnvironment) { gantry in
            let admin = try await gantry.adminToken()
            let alice = try await gantry.createUser("alice", adminToken: admin)
            let bob = try await gantry.createUser("bob", adminToken: admin)
            try await gantry.registerPlugin(
                "example-classifier", image: "gantry/classifier:1.0.0", token: admin, input: SeedSchemas.input,
                output: SeedSchemas.output)

            let submitted = try await gantry.submitJob(
                "example-classifier", input: ["features": [1.0, 2.0, 3.0, 4.0], "model_params": ["threshold": 0.5]],
                token: alice.token)
            #expect(submitted.status == .accepted, "\(submitted.text)")
            #expect(submitted["status"] as? String == "queued")
            #expect(submitted["plugin_name"] as? String == "example-classifier")
            #expect(submitted["owner_id"] as? String == alice.id)
            #expect((submitted["input_data"] as? [String: Any])?["features"] as? [Double] == [1, 2, 3, 4])
            let id = try #require(submitted["id"] as? String)

            let job = try await gantry.finishedJob(id, token: alice.token)
            #expect(job["status"] as? String == "completed", "\(job)")
            let result = try #require(job["result"] as? [String: Any])
            #expect(["class_A", "class_B"].contains(result["prediction"] as? String ?? ""))
            #expect(job["attempts"] as? Int == 1)
            #expect(job["started_at"] is String && job["completed_at"] is String)
            #expect(job["error_message"] == nil)

            // Another user's job is 403 (seed 003); an unknown id is 404; admins see it.
            #expect(try await gantry.request(.get, "/api/v1/jobs/\(id)", token: bob.token).status == .forbidden)
            #expect(try await gantry.request(.get, "/api/v1/jobs/\(UUID())", token: bob.token).status == .notFound)
            #expect(try await gantry.request(.get, "/api/v1/jobs/\(id)", token: admin).status == .ok)

            // Lists: the owner's own, filters, admins see all.
            let mine = try await gantry.request(
                .get, "/api/v1/jobs?status=completed&plugin_name=example-classifier", token: alice.token)
            #expect(mine["total"] as? Int == 1)
            #expect(try await gantry.request(.get, "/api/v1/jobs", token: bob.token)["total"] as? Int == 0)
            #expect(try await gantry.request(.get, "/api/v1/jobs?status=failed", token: admin)["total"] as? Int == 0)
            #expect(try await gantry.request(.get, "/api/v1/jobs", token: admin)["total"] as? Int == 1)

            // The events replay every state change, then the stream ends.
            let events = try await gantry.request(.get, "/api/v1/jobs/\(id)/events", token: alice.token)
            #expect(events.status == .ok)
            #expect(events.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            let statuses = events.text.split(separator: "\n").filter { $0.hasPrefix("data: ") }
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.dropFirst(6).utf8)) as? [String: Any] }
                .filter { $0["kind"] as? String == "status" }.compactMap { $0["status"] as? String }
            #expect(statuses == ["queued", "processing", "completed"], "\(events.text)")
            let resumed = try await gantry.request(
                .get, "/api/v1/jobs/\(id)/events", token: alice.token, headers: [HTTPField.Name("Last-Event-ID")!: "0"])
            #expect(resumed.text.contains("\"completed\""))
            #expect(try await gantry.request(.get, "/api/v1/jobs/\(id)/events", token: bob.token).status == .forbidden)

            // Stats and metrics.
            let stats = try await gantry.request(.get, "/api/v1/jobs/stats", token: admin)
            #expect(stats["completed"] as? Int == 1)
            let metrics = try await gantry.request(.get, "/metrics").text
            #expect(metrics.contains("gantry_jobs{state=\"completed\"} 1"), "\(metrics)")
            #expect(metrics.contains("gantry_job_attempt_duration_seconds_bucket"))
            #expect(metrics.contains("gantry_job_queue_depth"))

            // The container is gone.
            let left = try await withDocker { try await $0.listContainers(labels: ["gantry.id": id.uppercased()]) }
            #expect(left.isEmpty)
        }
    }

    @Test("bad submissions get clear 4xx errors and queue nothing")
    func badSubmissions() async throws {
        try await TestGantry.run(environment: TestGantry.jobEnvironment) { gantry in
            let admin = try await gantry.adminToken()
            let alice = try await gantry.createUser("alice", adminToken: admin)
            try await gantry.registerPlugin(
                "classifier", image: "gantry/classifier:1.0.0", token: admin, input: SeedSchemas.input)

            let mismatch = try await gantry.submitJob(
                "classifier", input: ["features": [1, "two", 3]], token: alice.token)
            #expect(mismatch.status == .badRequest)
            #expect(mismatch.errorCode == "input_invalid")
            let detail = mismatch.json["detail"] as? String ?? ""
            #expect(detail.contains("/features/1") && detail.contains("type"), "\(detail)")
            let missing = try await gantry.submitJob("classifier", input: ["model_params": [:]], token: alice.token)
            #expect(missing.status == .badRequest)
            #expect((missing.json["detail"] as? String ?? "").contains("features"), "\(missing.text)")

            #expect(try await gantry.submitJob("nope", input: [:], token: alice.token).status == .notFound)
            let anonymous = try await gantry.request(
                .post, "/api/v1/jobs", json: ["plugin_name": "classifier", "input_data": ["features": [1]]])
            #expect(anonymous.status == .unauthorized)
            let malformed = try await gantry.request(
                .post, "/api/v1/jobs", token: alice.token, rawBody: "{\"plugin_name\":")
            #expect(malformed.status == .badRequest)
            let noInput = try await gantry.request(
                .post, "/api/v1/jobs", token: alice.token, json: ["plugin_name": "classifier"])
            #expect(noInput.status == .badRequest)

            // Over 1 MB: 413, whether the input is one big value or the body is simply large.
            let big = Array(repeating: 1.5, count: 300_000)
            let tooLarge = try await gantry.submitJob("classifier", input: ["features": big], token: alice.token)
            #expect(tooLarge.status == .contentTooLarge, "\(tooLarge.status)")
            #expect(tooLarge.errorCode == "input_too_large")

            // A pattern that backtracks exponentially on this value: stopped at the time limit,
            // a 400 saying why, and nothing queued.
            try await gantry.registerPlugin(
                "matcher", image: "gantry/classifier:1.0.0", token: admin,
                input: ["type": "object", "properties": ["name": ["type": "string", "pattern": "^(a+)+$"]]])
            let started = ContinuousClock.now
            let backtracking = try await gantry.submitJob(
                "matcher", input: ["name": String(repeating: "a", count: 40) + "b"], token: alice.token)
            #expect(backtracking.status == .badRequest, "\(backtracking.text)")
            #expect(backtracking.errorCode == "input_too_complex", "\(backtracking.text)")
            #expect((backtracking.json["detail"] as? String ?? "").contains("took longer than 500 ms"))
            #expect(ContinuousClock.now - started < .seconds(10))

            let total = try await gantry.request(.get, "/api/v1/jobs", token: admin)["total"] as? Int
            #expect(total == 0)
        }
    }

    @Test(
        "a failing plugin is retried with backoff, then failed and dead-lettered with every attempt's error",
        arguments: DatabaseKind.allCases)
    func retriesThenDeadLetter(kind: DatabaseKind) async throws {
        var environment = TestGantry.jobEnvironment
        environment["GANTRY_JOB_MAX_RETRIES"] = "2"
        environment["GANTRY_JOB_BACKOFF"] = "300ms"
        try await TestGantry.run(kind, environment: environment) { gantry in
            let admin = try await gantry.adminToken()
            let alice = try await gantry.createUser("alice", adminToken: admin)
            try await gantry.registerPlugin("failing", image: "gantry-test/plugin-fail:latest", token: admin)
            let id = try await gantry.submitJobID("failing", input: ["x": 1], token: alice.token)
            let job = try await gantry.finishedJob(id, token: alice.token)
            #expect(job["status"] as? String == "failed")
            #expect(job["attempts"] as? Int == 3)
            #expect(job["dead_lettered"] as? Bool == true)
            #expect(job["error_code"] as? String == "plugin_error")
            #expect((job["error_message"] as? String ?? "").contains("plugin-fail: deliberate failure"))
            let history = try #require(job["attempt_history"] as? [[String: Any]])
            #expect(history.count == 3)
            #expect(
                history.allSatisfy { $0["exit_code"] as? Int == 3 && $0["error_code"] as? String == "plugin_error" })
            // Backoff: 300 ms before the second attempt, 600 ms before the third (read from the store,
            // whose times are not rounded to the second as the API's are).
            let jobUUID = try #require(UUID(uuidString: id))
            let stored = try #require(try await gantry.store.job(id: jobUUID))
            let attempts = stored.history
            #expect(attempts.count == 3)
            if attempts.count == 3, let end1 = attempts[0].endedAt, let end2 = attempts[1].endedAt {
                #expect(attempts[1].startedAt.timeIntervalSince(end1) >= 0.25, "first backoff too short: \(attempts)")
                #expect(attempts[2].startedAt.timeIntervalSince(end2) >= 0.55, "second backoff too short: \(attempts)")
            }

            let dead = try await gantry.request(.get, "/api/v1/jobs/dead", token: admin)
            #expect(dead["total"] as? Int == 1)
            #expect(try await gantry.request(.get, "/api/v1/jobs/dead", token: alice.token).status == .forbidden)
            #expect(
                try await gantry.request(.post, "/api/v1/jobs/\(id)/requeue", token: alice.token).status == .forbidden)

            // Requeued, it runs again with fresh attempts and dead-letters again.
            let requeued = try await gantry.request(.post, "/api/v1/jobs/\(id)/requeue", token: admin)
            #expect(requeued.status == .ok, "\(requeued.text)")
            #expect(requeued["status"] as? String == "queued")
            #expect(requeued["dead_lettered"] as? Bool == false)
            let again = try await gantry.finishedJob(id, token: alice.token)
            #expect(again["status"] as? String == "failed")
            #expect(again["attempts"] as? Int == 3)
            #expect((again["attempt_history"] as? [Any])?.count == 6)
            // A job that is not dead-lettered cannot be requeued.
            let echo = try await gantry.registerPlugin("echo", image: "gantry-test/plugin-echo:latest", token: admin)
            #expect(echo.status == .created)
            let ok = try await gantry.submitJobID("echo", input: ["hello": "world"], token: alice.token)
            let done = try await gantry.finishedJob(ok, token: alice.token)
            #expect((done["result"] as? [String: Any])?["hello"] as? String == "world")
            #expect(try await gantry.request(.post, "/api/v1/jobs/\(ok)/requeue", token: admin).status == .conflict)
            let metrics = try await gantry.request(.get, "/metrics").text
            #expect(metrics.contains("gantry_job_retries_total"))
            #expect(metrics.contains("gantry_job_dead_letters_total"))
        }
    }

    @Test("output that is not JSON or breaks the output schema fails at once, without retry")
    func invalidOutput() async throws {
        try await TestGantry.run(environment: TestGantry.jobEnvironment) { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.registerPlugin(
                "bad", image: "gantry-test/plugin-badoutput:latest", token: admin, output: SeedSchemas.output)
            try await gantry.registerPlugin("notjson", image: "gantry-test/plugin-notjson:latest", token: admin)
            let bad = try await gantry.submitJobID("bad", input: [:], token: admin)
            let notJSON = try await gantry.submitJobID("notjson", input: [:], token: admin)
            let badJob = try await gantry.finishedJob(bad, token: admin)
            #expect(badJob["status"] as? String == "failed")
            #expect(badJob["error_code"] as? String == "invalid_output")
            #expect(badJob["attempts"] as? Int == 1, "\(badJob)")
            #expect((badJob["error_message"] as? String ?? "").contains("prediction"), "\(badJob)")
            let notJSONJob = try await gantry.finishedJob(notJSON, token: admin)
            #expect(notJSONJob["error_code"] as? String == "invalid_output")
            #expect(notJSONJob["attempts"] as? Int == 1, "\(notJSONJob)")
        }
    }

    @Test("containers are hardened: non-root, read-only root, /tmp only, no network, no capabilities")
    func hardenedSandbox() async throws {
        try await TestGantry.run(environment: TestGantry.jobEnvironment) { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.registerPlugin("inspect", image: "gantry-test/plugin-inspect:latest", token: admin)
            try await gantry.registerPlugin(
                "inspect-argv", image: "gantry-test/plugin-inspect:latest", token: admin, inputMode: "argv")
            let id = try await gantry.submitJobID("inspect", input: ["probe": 7], token: admin)
            let argv = try await gantry.submitJobID("inspect-argv", input: ["probe": 8], token: admin)
            let job = try await gantry.finishedJob(id, token: admin)
            let result = try #require(job["result"] as? [String: Any], "\(job)")
            #expect(result["uid"] as? Int == 65534)
            #expect(result["root_writable"] as? Bool == false)
            #expect(result["tmp_writable"] as? Bool == true)
            #expect(result["network"] as? Bool == false)
            #expect(result["cap_eff"] as? String == "0000000000000000")
            #expect("\(result["no_new_privs"] ?? "")" == "1")
            #expect((result["input"] as? [String: Any])?["probe"] as? Int == 7)
            #expect(result["memory_max"] as? String == String(64 * 1024 * 1024))
            let argvJob = try await gantry.finishedJob(argv, token: admin)
            let argvResult = try #require(argvJob["result"] as? [String: Any], "\(argvJob)")
            #expect(argvResult["args"] as? Int == 1)
            #expect((argvResult["input"] as? [String: Any])?["probe"] as? Int == 8)
        }
    }

    @Test("progress lines update the job; the last JSON document on stdout is the result")
    func progressAndLastDocument() async throws {
        try await TestGantry.run(environment: TestGantry.jobEnvironment) { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.registerPlugin("progress", image: "gantry-test/plugin-progress:latest", token: admin)
            let id = try await gantry.submitJobID("progress", input: [:], token: admin)
            var seen: Set<Double> = []
            let done = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                let job = try await gantry.job(id, token: admin)
                if let progress = job["progress"] as? Double { seen.insert(progress) }
                return job["status"] as? String == "completed"
            }
            #expect(done)
            let job = try await gantry.job(id, token: admin)
            #expect((job["result"] as? [String: Any])?["done"] as? Bool == true, "\(job)")
            #expect(job["progress"] as? Double == 1)
            #expect(seen.contains { $0 > 0 && $0 < 1 }, "no intermediate progress seen: \(seen)")
            let events = try await gantry.request(.get, "/api/v1/jobs/\(id)/events", token: admin).text
            #expect(events.contains("event: progress"))
        }
    }

    @Test("the timeout stops a running container; cancel stops a running one and fails a queued one")
    func timeoutAndCancel() async throws {
        var environment = TestGantry.jobEnvironment
        environment["GANTRY_JOB_MAX_RETRIES"] = "0"
        try await TestGantry.run(environment: environment) { gantry in
            let admin = try await gantry.adminToken()
            let alice = try await gantry.createUser("alice", adminToken: admin)
            let bob = try await gantry.createUser("bob", adminToken: admin)
            try await gantry.registerPlugin(
                "sleepy", image: "gantry-test/plugin-sleep:latest", token: admin, timeout: 1)
            try await gantry.registerPlugin("sleeper", image: "gantry-test/plugin-sleep:latest", token: admin)

            let timed = try await gantry.submitJobID("sleepy", input: ["seconds": 60], token: alice.token)
            let running = try await gantry.submitJobID("sleeper", input: ["seconds": 300], token: alice.token)
            let timedOut = try await gantry.finishedJob(timed, token: alice.token)
            #expect(timedOut["status"] as? String == "failed")
            #expect(timedOut["error_code"] as? String == "timeout")

            let started = try await eventually(timeout: .seconds(20)) {
                let job = try await gantry.job(running, token: alice.token)
                let containers = try await withDocker {
                    try await $0.listContainers(labels: ["gantry.id": running.uppercased()])
                }
                return job["status"] as? String == "processing" && !containers.isEmpty
            }
            let snapshot = try await gantry.job(running, token: alice.token)
            #expect(started, "\(snapshot)")
            #expect(
                try await gantry.request(.post, "/api/v1/jobs/\(running)/cancel", token: bob.token).status == .forbidden
            )
            let cancelled = try await gantry.request(.post, "/api/v1/jobs/\(running)/cancel", token: alice.token)
            #expect(cancelled.status == .ok)
            let clock = ContinuousClock()
            let begin = clock.now
            let ended = try await gantry.finishedJob(running, token: alice.token, timeout: .seconds(15))
            #expect(clock.now - begin < .seconds(10))
            #expect(ended["status"] as? String == "failed")
            #expect(ended["error_code"] as? String == "cancelled")
            #expect(ended["dead_lettered"] as? Bool == false)
            let gone = try await eventually(timeout: .seconds(10)) {
                try await withDocker { try await $0.listContainers(labels: ["gantry.id": running.uppercased()]) }
                    .isEmpty
            }
            #expect(gone)
            #expect(
                try await gantry.request(.post, "/api/v1/jobs/\(running)/cancel", token: alice.token).status
                    == .conflict)
        }
    }

    @Test("without workers: cancel fails a queued job; the queue TTL expires jobs; the queue has a limit")
    func queueLimits() async throws {
        var environment = TestGantry.jobEnvironment
        environment["GANTRY_JOB_CONCURRENCY"] = "0"
        environment["GANTRY_JOB_QUEUE_TTL"] = "2s"
        environment["GANTRY_JOB_MAX_QUEUED"] = "2"
        try await TestGantry.run(environment: environment) { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.registerPlugin("echo", image: "gantry-test/plugin-echo:latest", token: admin)
            let first = try await gantry.submitJobID("echo", input: [1], token: admin)
            let second = try await gantry.submitJobID("echo", input: [2], token: admin)
            let full = try await gantry.submitJob("echo", input: [3], token: admin)
            #expect(full.status == .serviceUnavailable)
            #expect(full.errorCode == "queue_full")

            let cancelled = try await gantry.request(.post, "/api/v1/jobs/\(first)/cancel", token: admin)
            #expect(cancelled["status"] as? String == "failed")
            #expect(cancelled["error_code"] as? String == "cancelled")

            let expired = try await gantry.finishedJob(second, token: admin, timeout: .seconds(15))
            #expect(expired["error_code"] as? String == "expired")
            #expect(expired["dead_lettered"] as? Bool == true)
        }
    }

    @Test("job creations are rate-limited per user with 429 and Retry-After")
    func rateLimit() async throws {
        var environment = TestGantry.jobEnvironment
        environment["GANTRY_RATE_LIMIT_JOBS_PER_MINUTE"] = "3"
        environment["GANTRY_JOB_CONCURRENCY"] = "0"
        try await TestGantry.run(environment: environment) { gantry in
            let admin = try await gantry.adminToken()
            let alice = try await gantry.createUser("alice", adminToken: admin)
            let bob = try await gantry.createUser("bob", adminToken: admin)
            try await gantry.registerPlugin("echo", image: "gantry-test/plugin-echo:latest", token: admin)
            for index in 0..<3 {
                #expect(try await gantry.submitJob("echo", input: [index], token: alice.token).status == .accepted)
            }
            let limited = try await gantry.submitJob("echo", input: [4], token: alice.token)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorCode == "rate_limited")
            let retryAfter = Int(limited.headers[.retryAfter] ?? "") ?? 0
            #expect((1...60).contains(retryAfter), "Retry-After: \(limited.headers[.retryAfter] ?? "none")")
            // Limits are per user.
            #expect(try await gantry.submitJob("echo", input: [5], token: bob.token).status == .accepted)
            #expect(try await gantry.request(.get, "/api/v1/jobs", token: alice.token)["total"] as? Int == 3)
        }
    }
}
