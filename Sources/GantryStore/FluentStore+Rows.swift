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

    /// A hot SELECT whose SQLite text is fixed (`sqlite`, written once, `?` for each bind), so
    /// it skips SQLKit's serialisation on every call; other databases run `select`.
    func readRows(
        sqlite text: String, binds: [any Encodable & Sendable], otherwise select: () throws -> SQLSelectBuilder
    ) async throws -> [any RowReader] {
        if let sqlite = db as? any SQLiteDatabase {
            let encoder = SQLiteDataEncoder()
            return try await sqlite.query(text, try binds.map { try encoder.encode($0) }).get().map {
                SQLiteRowReader(row: $0)
            }
        }
        return try await readRows(try select())
    }
}
