import Foundation
import GantryCore
import SQLKit

/// Plugin rows read and written column by column through SQLKit.
enum PluginRow {
    static let table = "plugins"
    static let columns = [
        "id", "name", "version", "description", "image_reference", "input_schema", "output_schema", "cpu", "memory_mb",
        "gpus", "timeout_seconds", "input_mode", "network", "created_at", "updated_at",
    ]

    static func decode(_ row: any SQLRow) throws -> Plugin {
        let mode = try row.decode(column: "input_mode", as: String.self)
        guard let inputMode = Plugin.InputMode(rawValue: mode) else {
            throw StoreMappingError.invalid("plugins.input_mode", mode)
        }
        return Plugin(
            id: try row.decode(column: "id", as: UUID.self),
            name: try row.decode(column: "name", as: String.self),
            version: try row.decode(column: "version", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            imageReference: try row.decode(column: "image_reference", as: String.self),
            inputSchema: try schema(row, "input_schema"),
            outputSchema: try schema(row, "output_schema"),
            resources: Plugin.Resources(
                cpu: try row.decode(column: "cpu", as: Double.self),
                memoryMB: try row.decode(column: "memory_mb", as: Int.self),
                gpus: try row.decode(column: "gpus", as: Int.self)),
            timeoutSeconds: try row.decode(column: "timeout_seconds", as: Int.self),
            inputMode: inputMode,
            network: try row.decode(column: "network", as: Bool.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            updatedAt: try row.decode(column: "updated_at", as: Date.self))
    }

    static func values(_ plugin: Plugin, isCurrent: Bool) -> [any SQLExpression] {
        [
            SQLBind(plugin.id), SQLBind(plugin.name), SQLBind(plugin.version), SQLBind(plugin.description),
            SQLBind(plugin.imageReference), SQLBind(plugin.inputSchema?.serializedString()),
            SQLBind(plugin.outputSchema?.serializedString()), SQLBind(plugin.resources.cpu),
            SQLBind(plugin.resources.memoryMB), SQLBind(plugin.resources.gpus), SQLBind(plugin.timeoutSeconds),
            SQLBind(plugin.inputMode.rawValue), SQLBind(plugin.network), SQLBind(plugin.createdAt),
            SQLBind(plugin.updatedAt), SQLBind(isCurrent),
        ]
    }

    private static func schema(_ row: any SQLRow, _ column: String) throws -> JSONValue? {
        guard let text = try row.decode(column: column, as: String?.self) else { return nil }
        do {
            return try JSONValue(parsing: text, trusted: true)
        } catch {
            throw StoreMappingError.invalid("plugins.\(column)", String(text.prefix(80)))
        }
    }
}
