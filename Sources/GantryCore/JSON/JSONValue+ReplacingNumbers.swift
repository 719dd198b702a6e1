extension JSONValue {
    /// A copy with each number for which `replacement` gives a value replaced by it, or nil when
    /// it gives none (so callers that usually change nothing copy nothing).
    public func replacingNumbers(_ replacement: (JSONNumber) -> JSONValue?) -> JSONValue? {
        switch self {
        case .number(let number):
            return replacement(number)
        case .array(let items):
            let replaced = items.map { $0.replacingNumbers(replacement) }
            guard replaced.contains(where: { $0 != nil }) else { return nil }
            return .array(zip(items, replaced).map { $1 ?? $0 })
        case .object(let members):
            var copy = members
            var changed = false
            for (key, value) in members {
                if let replaced = value.replacingNumbers(replacement) {
                    copy[key] = replaced
                    changed = true
                }
            }
            return changed ? .object(copy) : nil
        case .null, .bool, .string:
            return nil
        }
    }
}
