/// `--all` for list commands: fetches page after page until the list's `total` is reached, so scripts need not
/// loop over `--skip` themselves.
enum AllPages {
    /// The API's largest page, to keep the number of requests down.
    static let pageSize = 500

    /// Every item, in the server's order, and the `total` of the last page. Stops early on an empty page so a
    /// list that shrinks while it is read cannot loop forever.
    static func collect<Item>(
        pageSize: Int = pageSize,
        _ fetch: (_ skip: Int, _ limit: Int) async throws -> (items: [Item], total: Int)
    ) async throws -> (items: [Item], total: Int) {
        var items: [Item] = []
        var total = 0
        repeat {
            let page = try await fetch(items.count, pageSize)
            total = page.total
            if page.items.isEmpty { break }
            items += page.items
        } while items.count < total
        return (items, total)
    }
}
