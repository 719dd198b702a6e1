/// Renders rows as aligned plain-text columns under a header row, the way `docker ps` does: no borders, so
/// the output stays greppable and `awk`-friendly.
struct TableRenderer: Sendable {
    enum Alignment: Sendable {
        case left
        case right
    }

    struct Column: Sendable {
        var title: String
        var alignment: Alignment

        init(_ title: String, alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    var columns: [Column]
    /// Spaces between columns; three keeps columns visibly apart even when a value contains single spaces.
    var gap = 3

    init(columns: [Column]) {
        self.columns = columns
    }

    init(_ titles: String...) {
        self.columns = titles.map { Column($0) }
    }

    /// The header and one line per row, each ending in a newline. Missing cells render empty, extra ones are
    /// ignored; trailing spaces are trimmed so the last column never pads.
    func render(_ rows: [[String]]) -> String {
        let cells = rows.map { row in
            columns.indices.map { index in index < row.count ? Self.singleLine(row[index]) : "" }
        }
        var widths = columns.map { $0.title.count }
        for row in cells {
            for (index, cell) in row.enumerated() {
                widths[index] = max(widths[index], cell.count)
            }
        }
        var output = ""
        for line in [columns.map(\.title)] + cells {
            var text = ""
            for (index, cell) in line.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                if index > 0 { text += String(repeating: " ", count: gap) }
                switch columns[index].alignment {
                case .left: text += cell + padding
                case .right: text += padding + cell
                }
            }
            while text.last == " " { text.removeLast() }
            output += text + "\n"
        }
        return output
    }

    /// A newline or tab inside a cell would break the grid, so they become spaces.
    private static func singleLine(_ value: String) -> String {
        func breaksGrid(_ character: Character) -> Bool { character.isNewline || character == "\t" }
        guard value.contains(where: breaksGrid) else { return value }
        return String(value.map { breaksGrid($0) ? " " : $0 })
    }
}

/// Renders `label: value` pairs with the values aligned, for `show`-style output of one resource.
enum DetailRenderer {
    static func render(_ pairs: [(String, String)]) -> String {
        let width = pairs.map { $0.0.count }.max() ?? 0
        var output = ""
        for (label, value) in pairs {
            let padding = String(repeating: " ", count: width - label.count)
            output += "\(label):\(padding)  \(value)"
            while output.last == " " { output.removeLast() }
            output += "\n"
        }
        return output
    }
}
