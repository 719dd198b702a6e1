import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A browser-like client for the dashboard: keeps cookies, reads CSRF tokens out of pages and
/// posts forms, without following redirects (tests look at them).
final class DashboardSession: @unchecked Sendable {
    let gantry: TestGantry
    private(set) var cookies: [String: String] = [:]
    private let lock = NSLock()

    init(_ gantry: TestGantry) { self.gantry = gantry }

    struct Page: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let html: String

        var location: String? { headers[.location] }
        /// The first `_csrf` hidden field's value on the page.
        var csrf: String? { Self.firstMatch(#"name="_csrf" value="([0-9a-f]+)""#, in: html) }
        var setCookies: [String] { headers[values: .setCookie] }

        func contains(_ text: String) -> Bool { html.contains(text) }

        static func firstMatch(_ pattern: String, in text: String) -> String? {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                match.numberOfRanges > 1, let range = Range(match.range(at: 1), in: text)
            else { return nil }
            return String(text[range])
        }
    }

    func setCookie(_ name: String, _ value: String) { lock.withLock { cookies[name] = value } }

    func get(_ path: String) async throws -> Page { try await send(.get, path, body: nil) }

    /// Posts a form; `_csrf` is added from `csrf` unless the fields carry one.
    func post(_ path: String, _ fields: [(String, String)], csrf: String?) async throws -> Page {
        var all = fields
        if let csrf, !fields.contains(where: { $0.0 == "_csrf" }) { all.append(("_csrf", csrf)) }
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.post, path, body: body)
    }

    /// Signs in through the form; returns the page the sign-in redirected to (after following it).
    @discardableResult
    func signIn(_ username: String, _ password: String) async throws -> Page {
        let form = try await get("/dashboard/login")
        let response = try await post(
            "/dashboard/login", [("username", username), ("password", password), ("next", "/dashboard")],
            csrf: form.csrf)
        #expect(response.status == .seeOther, "sign-in failed: \(response.status) \(response.html.prefix(400))")
        return try await get(response.location ?? "/dashboard")
    }

    func signInAsAdmin() async throws -> Page { try await signIn("admin", TestGantry.adminPassword) }

    /// A page's CSRF token (any signed-in page has one in its sign-out form).
    func csrf() async throws -> String { try #require(try await get("/dashboard").csrf) }

    private func send(_ method: HTTPRequest.Method, _ path: String, body: String?) async throws -> Page {
        var headers = HTTPFields()
        let cookieHeader = lock.withLock { cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if !cookieHeader.isEmpty { headers[.cookie] = cookieHeader }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await gantry.client.executeRequest(
            uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let page = Page(status: response.status, headers: response.headers, html: String(buffer: response.body))
        lock.withLock {
            for line in page.setCookies {
                let pair = line.split(separator: ";", maxSplits: 1)[0]
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(parts[0]).trimmingCharacters(in: .whitespaces)
                let value = parts.count > 1 ? String(parts[1]) : ""
                if value.isEmpty || line.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
            }
        }
        return page
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
