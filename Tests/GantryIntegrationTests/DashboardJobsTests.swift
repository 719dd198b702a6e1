import Foundation
import GantryTestSupport
import HTTPTypes
import Testing

/// The plugins and jobs pages: registering from a plugin.json, the form generated from the input
/// schema, the live job page, dead letters, cancel and requeue; against real Docker.
@Suite struct DashboardJobsTests {
    static let echoImage = "gantry-test/plugin-echo:latest"

    /// The echo plugin's manifest: its result is its input.
    static func echoManifest(_ name: String) throws -> String {
        let schema: [String: Any] = [
            "type": "object",
            "properties": [
                "message": ["type": "string", "description": "Text to echo back"],
                "count": ["type": "integer", "minimum": 0, "maximum": 1000],
                "loud": ["type": "boolean"],
                "ratio": ["type": "number"],
                "tags": ["type": "array", "items": ["type": "string"]],
                "mode": ["type": "string", "enum": ["fast", "slow"]],
                "extra": ["type": "object"],
            ],
            "required": ["message", "count"],
        ]
        let manifest: [String: Any] = [
            "name": name, "version": "1.0.0", "description": "Echo for the dashboard tests",
            "docker_image_url": echoImage, "input_schema": schema, "output_schema": schema,
            "resources": ["cpu": 0.25, "memory_mb": 64], "timeout_seconds": 60,
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: manifest), as: UTF8.self)
    }

    static func jobID(_ location: String?) throws -> String {
        let location = try #require(location)
        #expect(location.hasPrefix("/dashboard/jobs/"))
        return String(try #require(location.split(separator: "/").last))
    }

    static func text(_ pattern: String, in page: DashboardSession.Page) -> String? {
        DashboardSession.Page.firstMatch(pattern, in: page.html)
    }

    /// JSON text with sorted keys, to compare documents (Foundation's bridging of booleans varies).
    static func canonical(_ value: Any?) -> String {
        guard let value, let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else {
            return "nil"
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func unescape(_ html: String) -> String {
        html.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test func anAdminRegistersAPluginAndAUserSubmitsAJobThroughTheGeneratedForm() async throws {
        try await TestGantry.run(environment: TestGantry.jobEnvironment) { gantry in
            let adminToken = try await gantry.adminToken()
            let (_, userToken) = try await gantry.createUser("dash-jo", adminToken: adminToken)
            let admin = DashboardSession(gantry)
            try await admin.signInAsAdmin()

            let plugins = try await admin.get("/dashboard/plugins")
            #expect(plugins.status == .ok)
            #expect(plugins.contains("No plugins yet"))
            #expect(plugins.contains("href=\"/dashboard/plugins/new\""))
            let new = try await admin.get("/dashboard/plugins/new")
            #expect(new.status == .ok)
            #expect(new.contains("<textarea id=\"manifest\""))
            #expect(new.contains("id=\"plugin-register\""))
            // The prefilled example is a valid manifest.
            let example = try #require(Self.text(#"<textarea id="manifest"[^>]*>([^<]*)</textarea>"#, in: new))
            #expect((try? JSONSerialization.jsonObject(with: Data(Self.unescape(example).utf8))) != nil)

            let registered = try await admin.post(
                "/dashboard/plugins", [("manifest", try Self.echoManifest("dash-echo"))], csrf: new.csrf)
            #expect(registered.status == .seeOther, "\(registered.html.prefix(600))")
            #expect(registered.location == "/dashboard/plugins/dash-echo")
            let plugin = try await admin.get("/dashboard/plugins/dash-echo")
            #expect(plugin.contains("<h1>dash-echo</h1>"))
            #expect(plugin.contains("Registered dash-echo 1.0.0."))
            #expect(plugin.contains("id=\"plugin-submit-job\" href=\"/dashboard/jobs/new?plugin=dash-echo\""))
            #expect(plugin.contains("<pre class=\"code\" id=\"plugin-input-schema\""))
            #expect(plugin.contains("&quot;message&quot;"))
            #expect(plugin.contains("id=\"plugin-delete\""))
            let api = try await gantry.request(.get, "/api/v1/plugins/dash-echo", token: userToken)
            #expect(api.status == .ok)

            // A user sees the plugin without the admin controls and submits through the form.
            let user = DashboardSession(gantry)
            try await user.signIn("dash-jo", "secret-dash-jo-1")
            let userPlugin = try await user.get("/dashboard/plugins/dash-echo")
            #expect(userPlugin.status == .ok)
            #expect(!userPlugin.contains("id=\"plugin-delete\""))
            let form = try await user.get("/dashboard/jobs/new?plugin=dash-echo")
            #expect(form.status == .ok)
            #expect(
                form.contains("<form class=\"form card\" method=\"post\" action=\"/dashboard/jobs\" id=\"job-form\""))
            #expect(form.contains("<input type=\"text\" id=\"input-message\" name=\"input.message\""))
            #expect(
                form.contains(
                    "<input type=\"number\" id=\"input-count\" name=\"input.count\" value=\"\" step=\"1\" min=\"0\" max=\"1000\" required"
                ))
            #expect(
                form.contains("<input type=\"number\" id=\"input-ratio\" name=\"input.ratio\" value=\"\" step=\"any\""))
            #expect(form.contains("<input type=\"checkbox\" id=\"input-loud\" name=\"input.loud\" value=\"true\""))
            #expect(form.contains("<select id=\"input-mode\" name=\"input.mode\""))
            #expect(form.contains("<textarea id=\"input-tags\" name=\"input.tags\""))
            #expect(form.contains("<textarea id=\"input-extra\" name=\"input.extra\""))
            #expect(form.contains("<textarea id=\"input-json\" name=\"input_json\""))
            #expect(form.contains("id=\"job-submit\">Submit job</button>"))
            #expect(form.contains("Text to echo back"), "the description is the hint")

            let submitted = try await user.post(
                "/dashboard/jobs",
                [
                    ("plugin", "dash-echo"), ("input.message", "hello <dashboard>"), ("input.count", "42"),
                    ("input.loud", "true"), ("input.ratio", "0.5"), ("input.tags", "a\nb"), ("input.mode", "slow"),
                    ("input.extra", "{\"k\": [1, 2]}"), ("input_json", ""),
                ],
                csrf: form.csrf)
            #expect(submitted.status == .seeOther, "\(submitted.html.prefix(800))")
            let id = try Self.jobID(submitted.location)
            let job = try await gantry.finishedJob(id, token: userToken)
            #expect(job["status"] as? String == "completed", "\(job)")
            let expected: [String: Any] = [
                "message": "hello <dashboard>", "count": 42, "loud": true, "ratio": 0.5, "tags": ["a", "b"],
                "mode": "slow", "extra": ["k": [1, 2]],
            ]
            #expect(Self.canonical(job["input_data"]) == Self.canonical(expected))

            let detail = try await user.get("/dashboard/jobs/\(id)")
            #expect(detail.status == .ok)
            #expect(detail.contains("data-live=\"/dashboard/jobs/\(id)/live\""))
            #expect(detail.contains("<span id=\"job-status\" class=\"badge badge-ok\">completed</span>"))
            let result = try #require(Self.text(#"<pre class="code" id="job-result"[^>]*>([^<]*)</pre>"#, in: detail))
            let parsed = try JSONSerialization.jsonObject(with: Data(Self.unescape(result).utf8))
            #expect(Self.canonical(parsed) == Self.canonical(expected), "result: \(result)")
            #expect(detail.contains("id=\"job-input\""))
            #expect(detail.contains("hello &lt;dashboard&gt;"), "the input is escaped")
            #expect(detail.contains("id=\"job-attempts\""))
            #expect(!detail.contains("id=\"job-error\""))

            // The list, with filters, shows the row; the admin sees its owner.
            let list = try await user.get("/dashboard/jobs?status=completed&plugin=dash-echo")
            #expect(list.contains("data-live=\"/dashboard/jobs/live?plugin=dash-echo&amp;status=completed\""))
            #expect(list.contains("<tr data-row-id=\"\(id)\">"))
            #expect(list.contains("class=\"job-link mono\" href=\"/dashboard/jobs/\(id)\""))
            #expect(list.contains("<span class=\"badge badge-ok\">completed</span>"))
            #expect(!list.contains("Dead letters"), "users have no dead-letter filter")
            let queued = try await user.get("/dashboard/jobs?status=queued")
            #expect(!queued.contains("data-row-id=\"\(id)\""))
            #expect(queued.contains("No jobs match these filters"))
            let adminList = try await admin.get("/dashboard/jobs")
            #expect(adminList.contains("<td>dash-jo</td>"))
            #expect(adminList.contains("<option value=\"dead\">Dead letters</option>"))
            let recent = try await admin.get("/dashboard/plugins/dash-echo")
            #expect(recent.contains("data-row-id=\"\(id)\""))

            // Raw JSON wins over the fields.
            let raw = try await user.post(
                "/dashboard/jobs",
                [
                    ("plugin", "dash-echo"), ("input.message", "ignored"), ("input.count", "1"),
                    ("input_json", "{\"message\": \"raw\", \"count\": 7}"),
                ],
                csrf: form.csrf)
            #expect(raw.status == .seeOther)
            let rawJob = try await gantry.job(try Self.jobID(raw.location), token: userToken)
            #expect((rawJob["input_data"] as? [String: Any])?["message"] as? String == "raw")
        }
    }

    @Test func badJobInputIsRefusedWithA400AndCreatesNoJob() async throws {
        try await TestGantry.run(environment: TestGantry.jobEnvironment) { gantry in
            let adminToken = try await gantry.adminToken()
            let (_, userToken) = try await gantry.createUser("dash-bad", adminToken: adminToken)
            let admin = DashboardSession(gantry)
            try await admin.signInAsAdmin()
            let registered = try await admin.post(
                "/dashboard/plugins", [("manifest", try Self.echoManifest("dash-echo"))], csrf: try await admin.csrf())
            #expect(registered.status == .seeOther)
            let user = DashboardSession(gantry)
            try await user.signIn("dash-bad", "secret-dash-bad-1")
            let form = try await user.get("/dashboard/jobs/new?plugin=dash-echo")

            // Not a whole number: a field error, the values kept.
            let wrongType = try await user.post(
                "/dashboard/jobs",
                [("plugin", "dash-echo"), ("input.message", "keep me"), ("input.count", "abc"), ("input.tags", "x")],
                csrf: form.csrf)
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.contains("id=\"input-count-error\">Enter a whole number"))
            #expect(wrongType.contains("name=\"input.count\" value=\"abc\""))
            #expect(wrongType.contains("aria-invalid=\"true\""))
            #expect(wrongType.contains("name=\"input.message\" value=\"keep me\""))

            // Valid JSON types that the schema refuses: the service's message.
            let overMaximum = try await user.post(
                "/dashboard/jobs", [("plugin", "dash-echo"), ("input.message", "m"), ("input.count", "5000")],
                csrf: form.csrf)
            #expect(overMaximum.status == .badRequest)
            #expect(overMaximum.contains("id=\"job-form-error\""))
            #expect(overMaximum.contains("maximum"))
            let missing = try await user.post(
                "/dashboard/jobs", [("plugin", "dash-echo"), ("input.message", "m")], csrf: form.csrf)
            #expect(missing.status == .badRequest)
            #expect(missing.contains("count"))

            let badJSON = try await user.post(
                "/dashboard/jobs", [("plugin", "dash-echo"), ("input.extra", "{nope")], csrf: form.csrf)
            #expect(badJSON.status == .badRequest)
            #expect(badJSON.contains("id=\"input-extra-error\">Enter valid JSON"))
            let badRaw = try await user.post(
                "/dashboard/jobs", [("plugin", "dash-echo"), ("input_json", "[1,")], csrf: form.csrf)
            #expect(badRaw.status == .badRequest)
            #expect(badRaw.contains("id=\"input-json-error\""))
            #expect(badRaw.contains(">[1,</textarea>"))

            let unknown = try await user.post(
                "/dashboard/jobs", [("plugin", "no-such-plugin"), ("input_json", "{}")], csrf: form.csrf)
            #expect(unknown.status == .notFound)

            // Without or with a wrong CSRF token nothing is submitted.
            let valid = [("plugin", "dash-echo"), ("input.message", "m"), ("input.count", "1")]
            let noToken = try await user.post("/dashboard/jobs", valid, csrf: nil)
            #expect(noToken.status == .forbidden)
            let wrongToken = try await user.post("/dashboard/jobs", valid + [("_csrf", "0123abcd")], csrf: nil)
            #expect(wrongToken.status == .forbidden)
            #expect(wrongToken.contains("This form expired"))

            let jobs = try await gantry.request(.get, "/api/v1/jobs", token: userToken)
            #expect(jobs["total"] as? Int == 0, "no job was created: \(jobs.text)")
        }
    }

    @Test func onlyAdminsRegisterAndDeletePluginsAndBadManifestsChangeNothing() async throws {
        try await TestGantry.run(environment: TestGantry.jobEnvironment) { gantry in
            let adminToken = try await gantry.adminToken()
            _ = try await gantry.createUser("dash-pl", adminToken: adminToken)
            let user = DashboardSession(gantry)
            try await user.signIn("dash-pl", "secret-dash-pl-1")
            let userCSRF = try await user.csrf()
            #expect(try await user.get("/dashboard/plugins/new").status == .forbidden)
            #expect(!(try await user.get("/dashboard/plugins")).contains("href=\"/dashboard/plugins/new\""))
            let refused = try await user.post(
                "/dashboard/plugins", [("manifest", try Self.echoManifest("user-echo"))], csrf: userCSRF)
            #expect(refused.status == .forbidden)
            #expect(try await gantry.request(.get, "/api/v1/plugins/user-echo", token: adminToken).status == .notFound)

            let admin = DashboardSession(gantry)
            try await admin.signInAsAdmin()
            let csrf = try await admin.csrf()
            // CSRF is checked before anything else.
            let noToken = try await admin.post(
                "/dashboard/plugins", [("manifest", try Self.echoManifest("no-token"))], csrf: nil)
            #expect(noToken.status == .forbidden)
            let wrongToken = try await admin.post(
                "/dashboard/plugins", [("manifest", try Self.echoManifest("no-token")), ("_csrf", "beef")], csrf: nil)
            #expect(wrongToken.status == .forbidden)
            #expect(try await gantry.request(.get, "/api/v1/plugins/no-token", token: adminToken).status == .notFound)

            let bad: [(String, String)] = [
                ("{not json", "not valid JSON"),
                ("[1, 2]", "must be a JSON object"),
                (#"{"name": "Bad Name", "version": "1", "docker_image_url": "a/b:c"}"#, "must match"),
                (#"{"name": "typed", "version": 1, "docker_image_url": "a/b:c"}"#, "version must be a string"),
                (#"{"name": "noimage", "version": "1"}"#, "docker_image_url is required"),
                (
                    #"{"name": "badschema", "version": "1", "docker_image_url": "a/b:c", "input_schema": {"type": 5}}"#,
                    "not a valid JSON Schema"
                ),
            ]
            for (manifest, message) in bad {
                let page = try await admin.post("/dashboard/plugins", [("manifest", manifest)], csrf: csrf)
                #expect(page.status == .badRequest, "\(manifest)")
                #expect(page.contains("id=\"plugin-error\""), "\(manifest)")
                #expect(page.contains(message), "\(manifest): \(page.html.prefix(2000))")
            }
            let none = try await gantry.request(.get, "/api/v1/plugins", token: adminToken)
            #expect(none["total"] as? Int == 0, "nothing was registered: \(none.text)")

            let created = try await admin.post(
                "/dashboard/plugins", [("manifest", try Self.echoManifest("dash-echo"))], csrf: csrf)
            #expect(created.status == .seeOther)
            let duplicate = try await admin.post(
                "/dashboard/plugins", [("manifest", try Self.echoManifest("dash-echo"))], csrf: csrf)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.contains("already registered"))

            // Deleting: users are refused; admins confirm first.
            let userDelete = try await user.post(
                "/dashboard/plugins/dash-echo/delete", [("confirm", "yes")], csrf: userCSRF)
            #expect(userDelete.status == .forbidden)
            let ask = try await admin.post("/dashboard/plugins/dash-echo/delete", [], csrf: csrf)
            #expect(ask.status == .ok)
            #expect(ask.contains("name=\"confirm\" value=\"yes\""))
            #expect(try await gantry.request(.get, "/api/v1/plugins/dash-echo", token: adminToken).status == .ok)
            let deleted = try await admin.post("/dashboard/plugins/dash-echo/delete", [("confirm", "yes")], csrf: csrf)
            #expect(deleted.status == .seeOther)
            #expect(deleted.location == "/dashboard/plugins")
            #expect(try await gantry.request(.get, "/api/v1/plugins/dash-echo", token: adminToken).status == .notFound)
            #expect(try await admin.get("/dashboard/plugins/dash-echo").status == .notFound)
        }
    }

    @Test func adminsRequeueDeadLettersAndOwnersCancelJobs() async throws {
        var environment = TestGantry.jobEnvironment
        environment["GANTRY_JOB_MAX_RETRIES"] = "1"
        try await TestGantry.run(environment: environment) { gantry in
            let adminToken = try await gantry.adminToken()
            let (_, userToken) = try await gantry.createUser("dash-dl", adminToken: adminToken)
            try await gantry.registerPlugin(
                "dash-fail", image: "gantry-test/plugin-fail:latest", token: adminToken, timeout: 30)
            try await gantry.registerPlugin(
                "dash-sleep", image: "gantry-test/plugin-sleep:latest", token: adminToken, timeout: 120)
            let failing = try await gantry.submitJobID("dash-fail", input: [String: Any](), token: userToken)
            let dead = try await eventually(timeout: .seconds(60)) {
                try await gantry.job(failing, token: userToken)["dead_lettered"] as? Bool == true
            }
            #expect(dead, "the failing job was not dead-lettered")

            let user = DashboardSession(gantry)
            try await user.signIn("dash-dl", "secret-dash-dl-1")
            let userCSRF = try await user.csrf()
            #expect(try await user.get("/dashboard/jobs?status=dead").status == .forbidden)
            let failedPage = try await user.get("/dashboard/jobs/\(failing)")
            #expect(failedPage.contains("<span id=\"job-status\" class=\"badge badge-danger\">failed</span>"))
            #expect(failedPage.contains("id=\"job-error\""))
            #expect(!failedPage.contains("/requeue\""), "users cannot requeue")
            let userRequeue = try await user.post(
                "/dashboard/jobs/\(failing)/requeue", [("confirm", "yes")], csrf: userCSRF)
            #expect(userRequeue.status == .forbidden)

            let admin = DashboardSession(gantry)
            try await admin.signInAsAdmin()
            let deadList = try await admin.get("/dashboard/jobs?status=dead")
            #expect(deadList.status == .ok)
            #expect(deadList.contains("<tr data-row-id=\"\(failing)\">"))
            #expect(deadList.contains("action=\"/dashboard/jobs/\(failing)/requeue\""))
            #expect(deadList.contains("data-confirm=\"Requeue job"))
            let ask = try await admin.post("/dashboard/jobs/\(failing)/requeue", [], csrf: deadList.csrf)
            #expect(ask.status == .ok)
            #expect(ask.contains("name=\"confirm\" value=\"yes\""))
            #expect(try await gantry.job(failing, token: adminToken)["dead_lettered"] as? Bool == true)
            let noToken = try await admin.post("/dashboard/jobs/\(failing)/requeue", [("confirm", "yes")], csrf: nil)
            #expect(noToken.status == .forbidden)
            #expect(try await gantry.job(failing, token: adminToken)["dead_lettered"] as? Bool == true)
            let requeued = try await admin.post(
                "/dashboard/jobs/\(failing)/requeue",
                [("confirm", "yes"), ("return_to", "/dashboard/jobs?status=dead")], csrf: deadList.csrf)
            #expect(requeued.status == .seeOther)
            #expect(requeued.location == "/dashboard/jobs?status=dead")
            #expect(try await gantry.job(failing, token: adminToken)["dead_lettered"] as? Bool == false)

            // The owner cancels a running job from its page.
            let sleeping = try await gantry.submitJobID("dash-sleep", input: ["seconds": 120], token: userToken)
            let running = try await eventually(timeout: .seconds(30)) {
                try await gantry.job(sleeping, token: userToken)["status"] as? String == "processing"
            }
            #expect(running)
            let page = try await user.get("/dashboard/jobs/\(sleeping)")
            #expect(page.contains("<progress class=\"progress\" id=\"job-progress\""))
            #expect(page.contains("action=\"/dashboard/jobs/\(sleeping)/cancel\""))
            let cancel = try await user.post(
                "/dashboard/jobs/\(sleeping)/cancel", [("confirm", "yes")], csrf: page.csrf)
            #expect(cancel.status == .seeOther)
            #expect(cancel.location == "/dashboard/jobs/\(sleeping)")
            let finished = try await gantry.finishedJob(sleeping, token: userToken)
            #expect(finished["status"] as? String == "failed")
            #expect(finished["error_code"] as? String == "cancelled")
            let after = try await user.get("/dashboard/jobs/\(sleeping)")
            #expect(after.contains("<strong class=\"mono\">cancelled</strong>"))
            let again = try await user.post(
                "/dashboard/jobs/\(sleeping)/cancel", [("confirm", "yes")], csrf: page.csrf)
            #expect(again.status == .conflict)
        }
    }
}
