import GantryCore
import GantryPorts

/// `skip` and `limit` of a list request, validated.
public struct PageWindow: Sendable, Equatable {
    public static let maximumLimit = 500
    public static let maximumSkip = 1_000_000_000

    public var skip: Int
    public var limit: Int

    public init(skip: Int, limit: Int) throws(GantryError) {
        guard (0...Self.maximumSkip).contains(skip) else {
            throw .invalid("skip must be between 0 and \(Self.maximumSkip)")
        }
        guard (1...Self.maximumLimit).contains(limit) else {
            throw .invalid("limit must be between 1 and \(Self.maximumLimit)")
        }
        self.skip = skip
        self.limit = limit
    }
}

extension Page {
    /// A window over a list that is small enough to load whole (catalog, nodes).
    public init(slicing all: [Item], window: PageWindow) {
        self.init(total: all.count, items: Array(all.dropFirst(window.skip).prefix(window.limit)))
    }
}
