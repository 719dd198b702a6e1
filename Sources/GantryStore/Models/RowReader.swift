import Foundation
import SQLKit
import SQLiteNIO

/// Typed column access to one result row, so each table has one row mapping whatever the
/// driver: SQLite's raw rows are read directly (the hot listing path: SQLKit's generic decoding
/// goes through `Codable` per column and cost more than the query), any other SQLKit row
/// through SQLKit. A missing or mistyped column is an error, never a default.
protocol RowReader {
    func string(_ column: String) throws -> String
    func optionalString(_ column: String) throws -> String?
    func int(_ column: String) throws -> Int
    func optionalInt(_ column: String) throws -> Int?
    func double(_ column: String) throws -> Double
    func optionalDouble(_ column: String) throws -> Double?
    func bool(_ column: String) throws -> Bool
    func uuid(_ column: String) throws -> UUID
    func date(_ column: String) throws -> Date
    func optionalDate(_ column: String) throws -> Date?
}

/// Any SQLKit row (PostgreSQL's, or SQLite's through SQLKit).
struct SQLKitRowReader: RowReader {
    let row: any SQLRow

    func string(_ column: String) throws -> String { try row.decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try row.decode(column: column, as: String?.self) }
    func int(_ column: String) throws -> Int { try row.decode(column: column, as: Int.self) }
    func optionalInt(_ column: String) throws -> Int? { try row.decode(column: column, as: Int?.self) }
    func double(_ column: String) throws -> Double { try row.decode(column: column, as: Double.self) }
    func optionalDouble(_ column: String) throws -> Double? { try row.decode(column: column, as: Double?.self) }
    func bool(_ column: String) throws -> Bool { try row.decode(column: column, as: Bool.self) }
    func uuid(_ column: String) throws -> UUID { try row.decode(column: column, as: UUID.self) }
    func date(_ column: String) throws -> Date { try row.decode(column: column, as: Date.self) }
    func optionalDate(_ column: String) throws -> Date? { try row.decode(column: column, as: Date?.self) }
}

/// A raw SQLite row, read with SQLiteNIO's own conversions (as SQLiteKit stores values: UUIDs
/// as text, dates as seconds since 1970).
struct SQLiteRowReader: RowReader {
    let row: SQLiteRow

    private func data(_ column: String) throws -> SQLiteData {
        guard let data = row.column(column) else { throw StoreMappingError.missing(column) }
        return data
    }

    private func convert<T: SQLiteDataConvertible>(_ column: String, as type: T.Type) throws -> T {
        let data = try data(column)
        guard let value = T(sqliteData: data) else { throw StoreMappingError.invalid(column, "\(data)") }
        return value
    }

    private func convertOptional<T: SQLiteDataConvertible>(_ column: String, as type: T.Type) throws -> T? {
        let data = try data(column)
        if case .null = data { return nil }
        guard let value = T(sqliteData: data) else { throw StoreMappingError.invalid(column, "\(data)") }
        return value
    }

    func string(_ column: String) throws -> String { try convert(column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try convertOptional(column, as: String.self) }
    func int(_ column: String) throws -> Int { try convert(column, as: Int.self) }
    func optionalInt(_ column: String) throws -> Int? { try convertOptional(column, as: Int.self) }
    func double(_ column: String) throws -> Double { try convert(column, as: Double.self) }
    func optionalDouble(_ column: String) throws -> Double? { try convertOptional(column, as: Double.self) }
    func bool(_ column: String) throws -> Bool { try convert(column, as: Bool.self) }
    func date(_ column: String) throws -> Date { try convert(column, as: Date.self) }
    func optionalDate(_ column: String) throws -> Date? { try convertOptional(column, as: Date.self) }

    func uuid(_ column: String) throws -> UUID {
        let data = try data(column)
        switch data {
        case .text(let text):
            if let uuid = Self.parseUUID(text) ?? UUID(uuidString: text) { return uuid }
        case .blob(let buffer) where buffer.readableBytes == 16:
            if let bytes = buffer.getBytes(at: buffer.readerIndex, length: 16) {
                return UUID(
                    uuid: (
                        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                        bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                    ))
            }
        default:
            break
        }
        throw StoreMappingError.invalid(column, "\(data)")
    }

    /// The canonical 36-character form, parsed without Foundation's `sscanf` (every listed row
    /// has two ids); nil for anything else, which the caller hands to Foundation.
    static func parseUUID(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { bytes -> UUID? in
            guard bytes.count == 36 else { return nil }
            var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let parsed = withUnsafeMutableBytes(of: &value) { output -> Bool in
                var position = 0
                for index in 0..<16 {
                    if position == 8 || position == 13 || position == 18 || position == 23 {
                        guard bytes[position] == UInt8(ascii: "-") else { return false }
                        position += 1
                    }
                    guard let high = hexValue(bytes[position]), let low = hexValue(bytes[position + 1]) else {
                        return false
                    }
                    output[index] = high << 4 | low
                    position += 2
                }
                return true
            }
            return parsed ? UUID(uuid: value) : nil
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
