import FluentKit
import SQLKit

/// Version 6: a generation counter per table that the in-memory read models mirror. Triggers
/// bump it in the same transaction as every insert, update and delete, so no write path (nor
/// another replica's) can change a row without the readers noticing on their next read.
struct AddChangeGenerations: AsyncMigration {
    static let table = "change_generations"
    /// Tables with a read model, and so with triggers.
    static let watched = ["instances"]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            "CREATE TABLE \(unsafeRaw: Self.table) (name TEXT PRIMARY KEY, generation BIGINT NOT NULL)"
        ).run()
        for table in Self.watched {
            try await sql.raw("INSERT INTO \(unsafeRaw: Self.table) (name, generation) VALUES (\(bind: table), 1)")
                .run()
            let bump = "UPDATE \(Self.table) SET generation = generation + 1 WHERE name = '\(table)'"
            if sql.dialect.name == "sqlite" {
                // SQLite has row triggers only: one per kind of write.
                for event in ["INSERT", "UPDATE", "DELETE"] {
                    try await sql.raw(
                        """
                        CREATE TRIGGER \(unsafeRaw: Self.trigger(table, event)) AFTER \(unsafeRaw: event) \
                        ON \(unsafeRaw: table) BEGIN \(unsafeRaw: bump); END
                        """
                    ).run()
                }
            } else {
                // One bump per statement: a statement that writes many rows takes the counter's
                // row lock once.
                try await sql.raw(
                    """
                    CREATE FUNCTION \(unsafeRaw: Self.function(table))() RETURNS trigger AS $$ \
                    BEGIN \(unsafeRaw: bump); RETURN NULL; END $$ LANGUAGE plpgsql
                    """
                ).run()
                try await sql.raw(
                    """
                    CREATE TRIGGER \(unsafeRaw: Self.trigger(table, "write")) AFTER INSERT OR UPDATE OR DELETE \
                    ON \(unsafeRaw: table) FOR EACH STATEMENT EXECUTE FUNCTION \(unsafeRaw: Self.function(table))()
                    """
                ).run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for table in Self.watched {
            if sql.dialect.name == "sqlite" {
                for event in ["INSERT", "UPDATE", "DELETE"] {
                    try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: Self.trigger(table, event))").run()
                }
            } else {
                try await sql.raw(
                    "DROP TRIGGER IF EXISTS \(unsafeRaw: Self.trigger(table, "write")) ON \(unsafeRaw: table)"
                ).run()
                try await sql.raw("DROP FUNCTION IF EXISTS \(unsafeRaw: Self.function(table))()").run()
            }
        }
        try await sql.raw("DROP TABLE \(unsafeRaw: Self.table)").run()
    }

    static func trigger(_ table: String, _ event: String) -> String { "trg_\(table)_generation_\(event.lowercased())" }

    static func function(_ table: String) -> String { "bump_\(table)_generation" }
}
