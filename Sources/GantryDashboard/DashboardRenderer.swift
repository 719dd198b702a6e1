import Crypto
import Foundation
import Mustache

/// Renders the embedded Mustache templates. Pages use template inheritance:
/// `{{<layout}}{{$content}}…{{/content}}{{/layout}}`, with the page's view model under `body`.
struct DashboardRenderer: Sendable {
    struct MissingTemplate: Error, CustomStringConvertible {
        var name: String
        var description: String { "dashboard template \(name) is missing" }
    }

    let library: MustacheLibrary
    /// Embedded static files by name (`gantry.css`, `gantry.js`, `favicon.svg`).
    let assets: [String: String]
    /// Changes whenever an asset does, so asset URLs can be cached for good.
    let assetVersion: String

    init(files: [String: String] = DashboardResources.files) throws {
        var library = MustacheLibrary()
        var assets: [String: String] = [:]
        for (path, text) in files {
            if path.hasPrefix("templates/"), path.hasSuffix(".mustache") {
                let name = String(path.dropFirst("templates/".count).dropLast(".mustache".count))
                try library.register(text, named: name)
            } else if path.hasPrefix("assets/") {
                assets[String(path.dropFirst("assets/".count))] = text
            }
        }
        self.library = library
        self.assets = assets
        var hasher = SHA256()
        for name in assets.keys.sorted() { hasher.update(data: Data((assets[name] ?? "").utf8)) }
        assetVersion = hasher.finalize().prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    func render(_ model: Any, template: String) throws -> String {
        guard let text = library.render(TemplateContext.make(model), withTemplate: template) else {
            throw MissingTemplate(name: template)
        }
        return text
    }
}
