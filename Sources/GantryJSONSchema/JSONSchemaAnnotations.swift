import GantryCore

/// The annotations `unevaluatedProperties` and `unevaluatedItems` depend on: which members and
/// items of one instance the successfully evaluated applicators have covered.
struct JSONSchemaEvaluated: Sendable {
    var allProperties = false
    var properties: Set<String> = []
    var allItems = false
    /// Items before this index were covered (by `prefixItems`).
    var itemPrefix = 0
    /// Individually covered items (by `contains`).
    var items: Set<Int> = []

    static let none = JSONSchemaEvaluated()

    mutating func formUnion(_ other: JSONSchemaEvaluated) {
        allProperties = allProperties || other.allProperties
        if !allProperties && !other.properties.isEmpty { properties.formUnion(other.properties) }
        allItems = allItems || other.allItems
        itemPrefix = max(itemPrefix, other.itemPrefix)
        if !allItems && !other.items.isEmpty { items.formUnion(other.items) }
    }

    func covers(property name: String) -> Bool {
        allProperties || properties.contains(name)
    }

    func covers(item index: Int) -> Bool {
        allItems || index < itemPrefix || items.contains(index)
    }
}
