import FluentKit
import SQLKit
import SQLiteKit
import SQLiteNIO

extension FluentStore {
    /// Runs a SELECT built with SQLKit and hands back one reader per row. On SQLite the query is
    /// serialised by SQLKit and run on SQLiteNIO directly, so rows are read without SQLKit's
    /// per-column `Codable` decoding (see `RowReader`); elsewhere SQLKit runs it.
    func readRows(_ select: SQLSelectBuilder, on database: (any Database)? = nil) async throws -> [any RowReader] {
        let database = database ?? db
        if let sqlite = database as? any SQLiteDatabase {
            var serializer = SQLSerializer(database: try Self.sql(database))
            select.query.serialize(to: &serializer)
            let encoder = SQLiteDataEncoder()
            let binds = try serializer.binds.map { try encoder.encode($0) }
            return try await sqlite.query(serializer.sql, binds).get().map { SQLiteRowReader(row: $0) }
        }
        return try await select.all().map { SQLKitRowReader(row: $0) }
    }
}
