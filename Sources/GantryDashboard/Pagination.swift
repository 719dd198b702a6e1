import Foundation
import Hummingbird

/// The `page` query parameter (1-based; anything else reads as 1).
struct PageNumber: Sendable {
    var number: Int

    init(_ request: Request) {
        number = max(1, request.uri.queryParameters["page"].flatMap { Int(String($0)) } ?? 1)
    }

    init(number: Int) { self.number = max(1, number) }

    func skip(perPage: Int) -> Int { (number - 1) * perPage }
}

/// Previous / next links and "26–50 of 130".
struct PaginationView: Sendable {
    var info: String
    var previous: String?
    var next: String?

    init?(page: PageNumber, perPage: Int, total: Int, path: String, query: [String: String]) {
        guard total > perPage || page.number > 1 else { return nil }
        let first = min(total, page.skip(perPage: perPage) + 1)
        let last = min(total, page.skip(perPage: perPage) + perPage)
        info = total == 0 ? "0 of 0" : "\(first)–\(last) of \(total)"
        func link(_ number: Int) -> String {
            var items = query.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            if number > 1 { items.append(("page", String(number))) }
            guard !items.isEmpty else { return path }
            return path + "?"
                + items.map {
                    "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? "")"
                }
                .joined(separator: "&")
        }
        previous = page.number > 1 ? link(page.number - 1) : nil
        next = last < total ? link(page.number + 1) : nil
    }
}

extension CharacterSet {
    static let urlQueryValueAllowed: CharacterSet = {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return allowed
    }()
}
