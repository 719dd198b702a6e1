import Foundation
import GantryCore

/// A page of a list: `total` counts every match, `items` holds the requested window.
public struct Page<Item: Sendable>: Sendable {
    public var total: Int
    public var items: [Item]

    public init(total: Int, items: [Item]) {
        self.total = total
        self.items = items
    }
}

extension Page: Equatable where Item: Equatable {}
