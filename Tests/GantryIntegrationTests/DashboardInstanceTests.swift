import AsyncHTTPClient
import Foundation
import GantryTestSupport
import HTTPTypes
import NIOCore
import Testing

/// The launch wizard and the instances pages, against real Docker.
@Suite struct DashboardInstanceTests {
    @Test func aUserLaunchesThroughTheWizardReachesTheEndpointStopsAndTerminates() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let (_, userToken) = try await gantry.createUser("dash-ann", adminToken: admin)
            let browser = DashboardSession(gantry)
            try await browser.signIn("dash-ann", "secret-dash-ann-1")

            let empty = try await browser.get("/dashboard/instances")
            #expect(empty.contains("No instances yet"))

            let step1 = try await browser.get("/dashboard/instances/new")
            #expect(step1.status == .ok)
            #expect(step1.contains("type=\"radio\" name=\"image\" value=\"httpd\""))
            let step2 = try await browser.get("/dashboard/instances/new?step=2&image=httpd")
            #expect(step2.contains("id=\"cpu\""))
            #expect(step2.contains("data-remaining-cpu=\"16\""))
            #expect(step2.contains("data-remaining-instances=\"5\""))
            let review = try await browser.get(
                "/dashboard/instances/new?step=3&image=httpd&name=web&cpu=0.25&memory_mb=64&gpus=0")
            #expect(review.status == .ok)
            #expect(review.contains("id=\"wizard-launch\""))
            #expect(review.contains("<dd>web</dd>"))

            let launched = try await browser.post(
                "/dashboard/instances",
                [("image", "httpd"), ("name", "web"), ("cpu", "0.25"), ("memory_mb", "64"), ("gpus", "0")],
                csrf: review.csrf)
            #expect(launched.status == .seeOther, "\(launched.html.prefix(300))")
            let detailPath = try #require(launched.location)
            let id = String(try #require(detailPath.split(separator: "/").last))
            let detail = try await browser.get(detailPath)
            #expect(detail.contains("<h1>web</h1>"))
            #expect(detail.contains("Launching web"), "the flash message shows once")
            #expect(!(try await browser.get(detailPath)).contains("Launching web"))

            try await gantry.waitFor(id, state: "running", token: userToken)
            let list = try await browser.get("/dashboard/instances")
            #expect(list.contains("data-row-id=\"\(id)\""))
            let endpoint = try #require(
                DashboardSession.Page.firstMatch(#"class="endpoint mono" href="(http://[^"]+)""#, in: list.html))
            let answered = try await eventually { await fetch(endpoint) != nil }
            #expect(answered, "the endpoint link \(endpoint) answers")

            // Without confirm=yes the server asks first and changes nothing.
            let ask = try await browser.post("/dashboard/instances/\(id)/stop", [], csrf: list.csrf)
            #expect(ask.status == .ok)
            #expect(ask.contains("name=\"confirm\" value=\"yes\""))
            #expect(try await gantry.instance(id, token: userToken)["state"] as? String == "running")

            let stop = try await browser.post(
                "/dashboard/instances/\(id)/stop", [("confirm", "yes"), ("return_to", "/dashboard/instances")],
                csrf: list.csrf)
            #expect(stop.status == .seeOther)
            #expect(stop.location == "/dashboard/instances")
            try await gantry.waitFor(id, state: "stopped", token: userToken)
            // Stopping again is a conflict, shown as an error page with its status.
            let again = try await browser.post(
                "/dashboard/instances/\(id)/stop", [("confirm", "yes")], csrf: list.csrf)
            #expect(again.status == .conflict)
            #expect(again.contains("id=\"error-detail\""))

            let terminate = try await browser.post(
                "/dashboard/instances/\(id)/terminate", [("confirm", "yes")], csrf: list.csrf)
            #expect(terminate.status == .seeOther)
            try await gantry.waitFor(id, state: "terminated", token: userToken)
        }
    }

    @Test func theWizardBlocksOverQuotaAndBadChoicesAndLaunchesNothing() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let (_, userToken) = try await gantry.createUser(
                "dash-cap", adminToken: admin, quota: ["cpu": 1, "memory_mb": 512, "instances": 2])
            let browser = DashboardSession(gantry)
            try await browser.signIn("dash-cap", "secret-dash-cap-1")

            let unknown = try await browser.get("/dashboard/instances/new?step=2&image=nope")
            #expect(unknown.status == .badRequest)
            #expect(unknown.contains("There is no image named nope"))

            let over = try await browser.get(
                "/dashboard/instances/new?step=3&image=httpd&name=big&cpu=2&memory_mb=64&gpus=0")
            #expect(over.status == .badRequest)
            #expect(over.contains("id=\"cpu-error\""))
            #expect(!over.contains("id=\"wizard-launch\""), "an over-quota choice cannot be reviewed")
            #expect(over.contains("data-remaining-cpu=\"1\""))

            let badName = try await browser.get(
                "/dashboard/instances/new?step=3&image=httpd&name=Bad_Name&cpu=0.5&memory_mb=64&gpus=0")
            #expect(badName.status == .badRequest)
            #expect(badName.contains("id=\"name-error\""))
            #expect(badName.contains("aria-invalid=\"true\""))

            // Posting past the wizard gets the service's refusal, rendered on step 2.
            let forced = try await browser.post(
                "/dashboard/instances",
                [("image", "httpd"), ("name", "big"), ("cpu", "0.5"), ("memory_mb", "4096"), ("gpus", "0")],
                csrf: over.csrf)
            #expect(forced.status == .forbidden)
            #expect(forced.contains("memory"))
            #expect(forced.contains("id=\"memory_mb\""))
            let listed = try await gantry.request(.get, "/api/v1/instances", token: userToken)
            #expect(listed["total"] as? Int == 0)
        }
    }

    @Test func usersSeeOnlyTheirOwnInstancesAndAdminsSeeOwners() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let (_, carolToken) = try await gantry.createUser("dash-carol", adminToken: admin)
            _ = try await gantry.createUser("dash-dave", adminToken: admin)
            let launched = try await gantry.launch("carols", token: carolToken)
            let id = try #require(launched["id"] as? String)

            let dave = DashboardSession(gantry)
            try await dave.signIn("dash-dave", "secret-dash-dave-1")
            #expect(!(try await dave.get("/dashboard/instances")).contains("carols"))
            #expect(try await dave.get("/dashboard/instances/\(id)").status == .notFound)
            #expect(
                try await dave.get("/dashboard/instances/\(id)/live").status == .notFound,
                "the live stream of another user's instance is refused like its page")
            let csrf = try await dave.csrf()
            let refused = try await dave.post(
                "/dashboard/instances/\(id)/terminate", [("confirm", "yes")], csrf: csrf)
            #expect(refused.status == .notFound)

            let adminBrowser = DashboardSession(gantry)
            try await adminBrowser.signInAsAdmin()
            let all = try await adminBrowser.get("/dashboard/instances")
            #expect(all.contains("carols"))
            #expect(all.contains("<td>dash-carol</td>"))
            try await gantry.waitFor(id, state: "running", token: carolToken)
        }
    }

    @Test func theLiveStreamSendsRowsAsStatesChange() async throws {
        try await TestGantry.run { gantry in
            let admin = try await gantry.adminToken()
            try await gantry.addTestImage(adminToken: admin)
            let browser = DashboardSession(gantry)
            try await browser.signInAsAdmin()
            let launched = try await gantry.launch("live", token: admin)
            let id = try #require(launched["id"] as? String)
            let port = try #require(gantry.client.port)

            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/dashboard/instances/live")
            request.headers.add(
                name: "Cookie", value: "gantry_session=\(try #require(browser.cookies["gantry_session"]))")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "Content-Type") == "text/event-stream; charset=utf-8")
            var received = ""
            var sawRunning = false
            for try await chunk in response.body {
                received += String(buffer: chunk)
                if received.contains("event: rows"), received.contains(id), received.contains(">running</span>") {
                    sawRunning = true
                    break
                }
            }
            #expect(sawRunning, "the stream shows the row turning running: \(received.suffix(500))")
            #expect(received.contains("\"id\":\"\(id)\""))

            // Signed-out streams are refused like pages: the client ends up on the sign-in form.
            let anonymous = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/dashboard/instances/live"), timeout: .seconds(10))
            #expect(anonymous.headers.first(name: "Content-Type") == "text/html; charset=utf-8")
            let form = String(buffer: try await anonymous.body.collect(upTo: 1 << 20))
            #expect(form.contains("<h1>Sign in</h1>"))
        }
    }
}
