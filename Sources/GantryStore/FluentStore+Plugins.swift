import FluentKit
import Foundation
import GantryCore
import GantryPorts
import SQLKit

extension FluentStore {
    public func createPlugin(_ plugin: Plugin) async throws {
        do {
            try await db.transaction { tx in
                let sql = try Self.sql(tx)
                let existing = try await sql.raw(
                    "SELECT id FROM plugins WHERE name = \(bind: plugin.name) LIMIT 1"
                ).first()
                if existing != nil { throw StoreError.duplicate(field: "name") }
                try await Self.insertPlugin(plugin, isCurrent: true, on: sql)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw StoreError.duplicate(field: "name")
        }
    }

    public func publishPluginVersion(_ plugin: Plugin) async throws {
        do {
            try await db.transaction { tx in
                let sql = try Self.sql(tx)
                let versions = try await sql.raw(
                    "SELECT version FROM plugins WHERE name = \(bind: plugin.name)"
                ).all().map { try $0.decode(column: "version", as: String.self) }
                if versions.isEmpty { throw StoreError.notFound }
                if versions.contains(plugin.version) { throw StoreError.duplicate(field: "version") }
                try await sql.raw(
                    "UPDATE plugins SET is_current = \(bind: false) WHERE name = \(bind: plugin.name)"
                ).run()
                try await Self.insertPlugin(plugin, isCurrent: true, on: sql)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw StoreError.duplicate(field: "version")
        }
    }

    public func plugin(name: String) async throws -> Plugin? {
        try await sql.select().columns(PluginRow.columns).from(PluginRow.table)
            .where("name", .equal, name).where("is_current", .equal, true).first().map(PluginRow.decode)
    }

    public func plugin(name: String, version: String) async throws -> Plugin? {
        try await sql.select().columns(PluginRow.columns).from(PluginRow.table)
            .where("name", .equal, name).where("version", .equal, version).first().map(PluginRow.decode)
    }

    public func listPlugins(
        nameContaining text: String?, skip: Int, limit: Int
    ) async throws -> GantryPorts.Page<Plugin> {
        let sql = try self.sql
        func filtered<B: SQLPredicateBuilder>(_ builder: B) -> B {
            var builder = builder.where("is_current", .equal, true)
            if let text, !text.isEmpty {
                let pattern = "%\(Self.escapeLike(text))%"
                builder = builder.where(SQLQueryString("name LIKE \(bind: pattern) ESCAPE '\\'"))
            }
            return builder
        }
        let total =
            try await filtered(
                sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(PluginRow.table)
            )
            .first()?.decode(column: "n", as: Int.self) ?? 0
        let items = try await filtered(sql.select().columns(PluginRow.columns).from(PluginRow.table))
            .orderBy("name").offset(skip).limit(limit).all().map(PluginRow.decode)
        return Page(total: total, items: items)
    }

    public func deletePlugin(name: String, failingQueuedJobsWith failure: JobFailure, at now: Date) async throws -> Bool
    {
        try await db.transaction { tx in
            let sql = try Self.sql(tx)
            let removed = try await sql.raw("DELETE FROM plugins WHERE name = \(bind: name) RETURNING id").all()
            guard !removed.isEmpty else { return false }
            try await Self.failQueuedJobs(
                where: SQLQueryString("plugin_name = \(bind: name)"), failure: failure, deadLetter: true, at: now,
                on: sql)
            return true
        }
    }

    static func insertPlugin(_ plugin: Plugin, isCurrent: Bool, on sql: any SQLDatabase) async throws {
        try await sql.insert(into: PluginRow.table).columns(PluginRow.columns + ["is_current"])
            .values(PluginRow.values(plugin, isCurrent: isCurrent)).run()
    }

    /// `%`, `_` and `\` matched literally in a LIKE pattern whose escape character is `\`.
    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}
