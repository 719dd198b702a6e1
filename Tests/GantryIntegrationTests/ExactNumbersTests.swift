import Foundation
import GantryCore
import GantryTestSupport
import Testing

/// Issue 12, item 4: a number keeps its value and its spelling from the request to the plugin,
/// the store and every response.
@Suite(.serialized) struct ExactNumbersTests {
    /// Numbers `Int` and `Double` cannot carry as written, beside ones they can.
    static let input =
        #"{"big":99999999999999999999999,"negative_zero":-0,"one":1.0,"hundred":1e2,"precise":0.30000000000000000000000001,"huge":1e400,"plain":7,"half":0.5,"nested":[{"x":-12.50}],"lookalike":"gantry-number:0-0:0"}"#

    static func exact(_ response: APIResponse, _ key: String) throws -> String? {
        try JSONValue(parsing: response.body)[key]?.serializedString()
    }

    @Test("job input and result keep every number as written, through the plugin, the store and the API")
    func jobNumbersAreExact() async throws {
        try await TestGantry.run(environment: TestGantry.jobEnvironment) { gantry in
            let admin = try await gantry.adminToken()
            let schema =
                #"{"type":"object","properties":{"big":{"type":"integer","minimum":1e22},"one":{"type":"integer"},"precise":{"type":"number","maximum":0.30000000000000000000000002}}}"#
            let registered = try await gantry.request(
                .post, "/api/v1/plugins", token: admin,
                rawBody:
                    #"{"name":"exact-echo","version":"1.0.0","docker_image_url":"gantry-test/plugin-echo:latest","input_schema":"#
                    + schema + #","output_schema":"# + schema + "}")
            #expect(registered.status == .created, "\(registered.text)")
            let sortedSchema = try JSONValue(parsing: schema).serializedString()
            #expect(try Self.exact(registered, "input_schema") == sortedSchema, "\(registered.text)")
            let plugin = try await gantry.request(.get, "/api/v1/plugins/exact-echo", token: admin)
            #expect(try Self.exact(plugin, "output_schema") == sortedSchema, "\(plugin.text)")

            let expected = try JSONValue(parsing: Self.input).serializedString()
            let submitted = try await gantry.request(
                .post, "/api/v1/jobs", token: admin,
                rawBody: #"{"plugin_name":"exact-echo","input_data":"# + Self.input + "}")
            #expect(submitted.status == .accepted, "\(submitted.text)")
            #expect(try Self.exact(submitted, "input_data") == expected, "\(submitted.text)")
            // Foundation's JSONSerialization refuses 1e400, so the answers are read with Gantry's parser.
            let id = try #require(try JSONValue(parsing: submitted.body)["id"]?.stringValue)
            var job = submitted
            let finished = try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                job = try await gantry.request(.get, "/api/v1/jobs/\(id)", token: admin)
                let status = try JSONValue(parsing: job.body)["status"]?.stringValue
                return status == "completed" || status == "failed"
            }
            #expect(finished, "\(job.text)")
            #expect(try JSONValue(parsing: job.body)["status"] == .string("completed"), "\(job.text)")
            // The echo plugin answers with its stdin: what it was given is what was sent.
            #expect(try Self.exact(job, "input_data") == expected, "\(job.text)")
            #expect(try Self.exact(job, "result") == expected, "\(job.text)")
            #expect(job.text.contains("99999999999999999999999"))
            // No placeholder is left behind; the client's look-alike string (in input and result) stays.
            #expect(job.text.components(separatedBy: "gantry-number:").count - 1 == 2, "\(job.text)")
            #expect(job.headers[.contentLength].flatMap(Int.init) ?? job.body.count == job.body.count)
        }
    }

    @Test("a number outside the schema's exact bounds is refused, and nothing is queued")
    func boundsAreCheckedOnTheExactValue() async throws {
        try await TestGantry.run(environment: TestGantry.jobEnvironment) { gantry in
            let admin = try await gantry.adminToken()
            let registered = try await gantry.request(
                .post, "/api/v1/plugins", token: admin,
                rawBody:
                    #"{"name":"bounded","version":"1.0.0","docker_image_url":"gantry-test/plugin-echo:latest","input_schema":{"type":"object","properties":{"n":{"type":"integer","maximum":9223372036854775807}}}}"#
            )
            #expect(registered.status == .created, "\(registered.text)")
            let over = try await gantry.request(
                .post, "/api/v1/jobs", token: admin,
                rawBody: #"{"plugin_name":"bounded","input_data":{"n":99999999999999999999999}}"#)
            #expect(over.status == .badRequest, "\(over.text)")
            #expect(over.errorCode == "input_invalid")
            let fraction = try await gantry.request(
                .post, "/api/v1/jobs", token: admin, rawBody: #"{"plugin_name":"bounded","input_data":{"n":1.5}}"#)
            #expect(fraction.status == .badRequest, "\(fraction.text)")
            #expect(fraction.errorCode == "input_invalid")
            let jobs = try await gantry.request(.get, "/api/v1/jobs", token: admin)
            #expect(jobs["total"] as? Int == 0, "\(jobs.text)")
        }
    }
}
