import GantryCore
import Testing

@testable import GantryAPI

/// Where a request body's `null` is refused: in fields openapi.yaml declares with a type, and
/// nowhere else.
@Suite struct DeclaredRequestFieldsTests {
    static let fields: DeclaredRequestFields? = try? DeclaredRequestFields(openAPI: OpenAPIDocumentRoutes().document)

    func firstNull(_ body: String, _ method: String, _ endpoint: String) throws -> String? {
        let fields = try #require(Self.fields)
        return fields.firstNull(in: try JSONValue(parsing: body), method: method, endpoint: endpoint)
    }

    @Test func nullsInDeclaredFieldsOfTheRealSpecAreFound() throws {
        #expect(try firstNull(#"{"quota":{"cpu":null}}"#, "PATCH", "/api/v1/users/{id}") == "quota.cpu")
        #expect(try firstNull(#"{"is_active":null}"#, "PATCH", "/api/v1/users/{id}") == "is_active")
        #expect(
            try firstNull(#"{"name":"x","image":"i","cpu":1,"memory_mb":64,"gpus":null}"#, "POST", "/api/v1/instances")
                == "gpus")
        #expect(try firstNull(#"{"username":null,"password":"p"}"#, "POST", "/api/v1/auth/token") == "username")
        // allOf: the registration schema's members come from NewPlugin.
        #expect(try firstNull(#"{"name":"p","resources":{"cpu":null}}"#, "POST", "/api/v1/plugins") == "resources.cpu")
        #expect(try firstNull("null", "POST", "/api/v1/auth/token") == "body")
    }

    @Test func nullsInFreeFormJSONExtraMembersAndUndeclaredBodiesAreLeftAlone() throws {
        #expect(
            try firstNull(#"{"plugin_name":"p","input_data":{"a":null,"b":[null]}}"#, "POST", "/api/v1/jobs") == nil)
        #expect(try firstNull(#"{"plugin_name":"p","input_data":null}"#, "POST", "/api/v1/jobs") == nil)
        #expect(
            try firstNull(#"{"quota":{"cpu":1,"extra":null},"extra":[null]}"#, "PATCH", "/api/v1/users/{id}") == nil)
        #expect(try firstNull(#"{"quota":{"cpu":null}}"#, "PATCH", "/api/v1/nothing") == nil)
        #expect(try firstNull(#"{"quota":{"cpu":null}}"#, "GET", "/api/v1/users/{id}") == nil)
    }

    @Test func referencesAllOfItemsNullableAndRecursionAreFollowed() throws {
        let document = try JSONValue(
            parsing: #"""
                {"paths": {"/t": {"post": {"requestBody": {"content": {"application/json": {"schema":
                    {"allOf": [{"$ref": "#/components/schemas/Tree"}, {"properties": {"note": {"type": "string", "nullable": true}}}]}}}}}}},
                 "components": {"schemas": {"Tree": {"type": "object", "properties": {
                    "label": {"type": ["string"]}, "loose": {"type": ["string", "null"]},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}}}}}
                """#)
        let fields = DeclaredRequestFields(openAPI: document)
        func find(_ body: String) throws -> String? {
            fields.firstNull(in: try JSONValue(parsing: body), method: "post", endpoint: "/t")
        }
        #expect(try find(#"{"label":null}"#) == "label")
        #expect(try find(#"{"tags":["a",null]}"#) == "tags[1]")
        #expect(try find(#"{"loose":null,"note":null}"#) == nil)
        // A schema met again inside itself is free-form from there on.
        #expect(try find(#"{"children":[null,{"label":null}]}"#) == nil)
    }
}
