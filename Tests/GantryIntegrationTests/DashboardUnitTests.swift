import Foundation
import GantryCore
import Testing

@testable import GantryDashboard

/// The dashboard's pure pieces: the schema form, CSRF tokens, form parsing, pagination, the live
/// event format and the template context.
@Suite struct DashboardUnitTests {
    static let schema: JSONValue = .object([
        "type": .string("object"),
        "required": .array([.string("text"), .string("count")]),
        "properties": .object([
            "text": .object(["type": .string("string")]),
            "count": .object(["type": .string("integer"), "minimum": .integer(1)]),
            "loud": .object(["type": .string("boolean")]),
            "mode": .object(["enum": .array([.string("fast"), .string("slow")])]),
            "weights": .object(["type": .string("array"), "items": .object(["type": .string("number")])]),
            "extra": .object(["type": .string("object")]),
        ]),
    ])

    @Test func schemaPropertiesComeRequiredFirstWithTheirKinds() {
        let properties = SchemaForm.properties(of: Self.schema)
        #expect(properties.map(\.name) == ["text", "count", "extra", "loud", "mode", "weights"])
        #expect(properties.map(\.required) == [true, true, false, false, false, false])
        let kinds = Dictionary(uniqueKeysWithValues: properties.map { ($0.name, $0.kind) })
        #expect(kinds["count"] == .integer)
        #expect(kinds["loud"] == .boolean)
        #expect(kinds["mode"] == .choice([.string("fast"), .string("slow")]))
        #expect(kinds["weights"] == .list(item: .number))
        #expect(kinds["extra"] == .json)
        #expect(SchemaForm.properties(of: .object(["type": .string("string")])).isEmpty)
    }

    @Test func formValuesBecomeTypedJSONOrFieldErrors() throws {
        let properties = SchemaForm.properties(of: Self.schema)
        let (input, errors) = SchemaForm.input(
            properties,
            values: [
                "text": "hello", "count": "3", "loud": "true", "mode": "slow", "weights": "0.5, 1, 2.25",
                "extra": #"{"a": [1, 2]}"#,
            ])
        #expect(errors.isEmpty)
        let object = try #require(input?.objectValue)
        #expect(object["text"] == .string("hello"))
        #expect(object["count"] == .integer(3))
        #expect(object["loud"] == .bool(true))
        #expect(object["mode"] == .string("slow"))
        #expect(object["weights"] == .array([.double(0.5), .integer(1), .double(2.25)]))
        #expect(object["extra"] == .object(["a": .array([.integer(1), .integer(2)])]))

        // Numbers are kept as typed, as the API keeps them.
        let (exact, _) = SchemaForm.input(
            properties,
            values: ["text": "x", "count": "99999999999999999999999", "weights": "1.50, -0", "extra": "[1e2]"])
        #expect(
            exact?.serializedString()
                == #"{"count":99999999999999999999999,"extra":[1e2],"loud":false,"text":"x","weights":[1.50,-0]}"#)
        let (fraction, fractionProblems) = SchemaForm.input(properties, values: ["text": "x", "count": "2.5"])
        #expect(fraction == nil)
        #expect(fractionProblems["count"] == "Enter a whole number, like 42.")

        let (bad, problems) = SchemaForm.input(
            properties, values: ["text": "x", "count": "abc", "weights": "1\nzwei", "extra": "{", "mode": "medium"])
        #expect(bad == nil)
        #expect(problems["count"] == "Enter a whole number, like 42.")
        #expect(problems["weights"]?.contains("Item 2") == true)
        #expect(problems["extra"]?.hasPrefix("Enter valid JSON") == true)
        #expect(problems["mode"] == "Choose one of: fast, slow.")

        // Empty fields are left out (the service reports missing required ones); unticked is false.
        let (sparse, none) = SchemaForm.input(properties, values: [:])
        #expect(none.isEmpty)
        #expect(sparse == .object(["loud": .bool(false)]))
    }

    @Test func csrfTokensAreBoundToTheSessionAndComparedExactly() {
        let token = CSRFToken.forSession("gs_one")
        #expect(token.count == 64)
        #expect(token == CSRFToken.forSession("gs_one"))
        #expect(token != CSRFToken.forSession("gs_two"))
        #expect(CSRFToken.matches(token, token))
        let flipped = String(token.dropLast()) + (token.hasSuffix("0") ? "1" : "0")
        #expect(!CSRFToken.matches(flipped, token))
        #expect(!CSRFToken.matches(nil, token))
        #expect(!CSRFToken.matches("", ""))
        #expect(CSRFToken.random() != CSRFToken.random())
    }

    @Test func urlEncodedFormsAreDecoded() {
        let form = FormFields(encoded: "name=web+one&cpu=0.5&note=a%26b%3Dc&empty=&flag&name=second")
        #expect(form["name"] == "web one")
        #expect(form.all("name") == ["web one", "second"])
        #expect(form["note"] == "a&b=c")
        #expect(form["empty"] == "")
        #expect(form.trimmed("empty") == nil)
        #expect(form["flag"] == "")
        #expect(form["missing"] == nil)
    }

    @Test func paginationLinksKeepTheFilters() throws {
        #expect(PaginationView(page: PageNumber(number: 1), perPage: 25, total: 10, path: "/p", query: [:]) == nil)
        let middle = try #require(
            PaginationView(
                page: PageNumber(number: 2), perPage: 25, total: 130, path: "/dashboard/jobs",
                query: ["status": "failed", "plugin": "a b", "empty": ""]))
        #expect(middle.info == "26–50 of 130")
        #expect(middle.previous == "/dashboard/jobs?plugin=a%20b&status=failed")
        #expect(middle.next == "/dashboard/jobs?plugin=a%20b&status=failed&page=3")
        let last = try #require(
            PaginationView(page: PageNumber(number: 6), perPage: 25, total: 130, path: "/x", query: [:]))
        #expect(last.info == "126–130 of 130")
        #expect(last.next == nil)
    }

    @Test func liveEventsAreOneDataLineOfJSON() throws {
        let event = LiveUpdates.event(
            for: .rows([LiveRow(id: "a", html: "<tr>\n<td>x</td>\n</tr>")], empty: "<tr class=\"empty-row\"></tr>"))
        let lines = event.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "event: rows")
        #expect(lines.count == 4, "event, data, blank line terminator: \(lines)")
        let data = try #require(lines[1].split(separator: " ", maxSplits: 1).last)
        let decoded = try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
        #expect((decoded?["rows"] as? [[String: String]])?.first?["html"] == "<tr>\n<td>x</td>\n</tr>")
        #expect(LiveUpdates.event(for: .replace("<p>done</p>", terminal: true)).hasPrefix("event: replace\n"))
    }

    @Test func templateContextsDropNilsSoNamesResolveOutside() {
        struct Inner: Sendable {
            var label: String
            var note: String?
        }
        struct Outer: Sendable {
            var items: [Inner]
            var flag: Bool
            var missing: Int?
        }
        let context = TemplateContext.make(
            Outer(items: [Inner(label: "a", note: nil), Inner(label: "b", note: "n")], flag: true, missing: nil))
        let fields = context as? [String: Any]
        #expect(fields?["flag"] as? Bool == true)
        #expect(fields?.keys.contains("missing") == false)
        let items = fields?["items"] as? [Any]
        #expect((items?.first as? [String: Any])?.keys.sorted() == ["label"])
        #expect((items?.last as? [String: Any])?["note"] as? String == "n")
    }

    @Test func onlyDashboardPathsAreFollowedAfterSignIn() {
        #expect(SafeRedirect.isLocal("/dashboard/jobs?status=failed"))
        #expect(!SafeRedirect.isLocal("https://evil.example/dashboard"))
        #expect(!SafeRedirect.isLocal("//evil.example/dashboard"))
        #expect(!SafeRedirect.isLocal("/dashboard\\@evil"))
        #expect(!SafeRedirect.isLocal("/api/v1/users"))
        #expect(Dashboard.nextTarget("/dashboard/login?next=/x") == "/dashboard")
        #expect(Dashboard.nextTarget(nil) == "/dashboard")
    }

    @Test func sizesAndTimesReadNaturally() {
        #expect(DisplayFormat.memory(mb: 512) == "512 MB")
        #expect(DisplayFormat.memory(mb: 2048) == "2 GB")
        #expect(DisplayFormat.memory(mb: 1536) == "1.5 GB")
        #expect(DisplayFormat.cpu(0.25) == "0.25")
        #expect(DisplayFormat.cpu(16) == "16")
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(DisplayFormat.remaining(until: now.addingTimeInterval(3900), now: now) == "1h 05m left")
        #expect(DisplayFormat.remaining(until: now.addingTimeInterval(-1), now: now) == "expired")
        #expect(DisplayFormat.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00 UTC")
        #expect(BadgeTone.forState("running") == "badge-ok")
        #expect(BadgeTone.forState("failed") == "badge-danger")
        #expect(BadgeTone.forState("stopped") == "badge-muted")
    }
}
