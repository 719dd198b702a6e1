/// A row that cannot be turned into a domain value (a column that should never be empty is).
enum StoreMappingError: Error, CustomStringConvertible {
    case missing(String)
    case invalid(String, String)

    var description: String {
        switch self {
        case .missing(let column): "stored row has no \(column)"
        case .invalid(let column, let value): "stored row has an unknown \(column) \"\(value)\""
        }
    }
}
