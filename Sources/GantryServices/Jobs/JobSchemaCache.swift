import Foundation
import GantryCore
import GantryJSONSchema
import Synchronization

/// Compiled plugin schemas by plugin version id: compiling is far dearer than validating, and a
/// version's schemas never change.
public final class JobSchemaCache: Sendable {
    private let compiled = Mutex<[String: JSONSchema]>([:])
    private let capacity: Int

    public init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    public enum Side: String, Sendable {
        case input
        case output
    }

    /// The compiled schema of one side of `plugin`, or nil when it declares none.
    public func schema(_ side: Side, of plugin: Plugin) throws(GantryError) -> JSONSchema? {
        guard let document = side == .input ? plugin.inputSchema : plugin.outputSchema else { return nil }
        let key = "\(plugin.id.uuidString)/\(side.rawValue)"
        if let cached = compiled.withLock({ $0[key] }) { return cached }
        let schema: JSONSchema
        do {
            schema = try JSONSchema(document)
        } catch {
            throw GantryError(
                .internalFailure, code: "invalid_schema",
                detail:
                    "the \(side.rawValue) schema of plugin \(plugin.name) \(plugin.version) cannot be used: \(error)")
        }
        compiled.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = schema
        }
        return schema
    }
}
