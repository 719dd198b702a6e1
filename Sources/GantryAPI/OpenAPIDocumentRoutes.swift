import Foundation
import GantryCore
import GantryOpenAPI
import HTTPTypes
import Hummingbird
import NIOCore
import Yams

/// Serves `/openapi.json` (the repo's openapi.yaml, embedded at build time, as JSON) and `/docs`,
/// a page that renders it with no external assets.
public struct OpenAPIDocumentRoutes: Sendable {
    let json: ByteBuffer
    let page: ByteBuffer
    /// The same document, for the checks that read it (`DeclaredRequestFields`).
    public let document: JSONValue

    /// Converts the embedded YAML once; a document that does not parse is a build defect.
    public init() throws {
        let object = try Yams.load(yaml: OpenAPIDocument.text) ?? [:]
        let data = try JSONSerialization.data(withJSONObject: Self.jsonCompatible(object), options: [.sortedKeys])
        json = ByteBuffer(bytes: data)
        document = try JSONValue(parsing: data)
        page = ByteBuffer(string: DocsPage.html)
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        let json = self.json
        let page = self.page
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: json))
        }
        router.get("/docs") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: page))
        }
    }

    /// YAML scalars come back as Swift values JSONSerialization accepts, except dates and the
    /// like, which become strings.
    static func jsonCompatible(_ value: Any) -> Any {
        switch value {
        case let dictionary as [String: Any]: return dictionary.mapValues(jsonCompatible)
        case let dictionary as [AnyHashable: Any]:
            var result: [String: Any] = [:]
            for (key, item) in dictionary { result["\(key)"] = jsonCompatible(item) }
            return result
        case let array as [Any]: return array.map(jsonCompatible)
        case is String, is Int, is Double, is Bool, is NSNull: return value
        default: return "\(value)"
        }
    }
}
