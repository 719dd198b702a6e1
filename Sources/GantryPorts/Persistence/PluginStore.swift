import Foundation
import GantryCore

public protocol PluginStore: Sendable {
    /// Stores the first version of a plugin. Throws `StoreError.duplicate(field: "name")`.
    func createPlugin(_ plugin: Plugin) async throws
    /// Makes `plugin` the current version of an existing plugin. Throws `StoreError.notFound`
    /// when no plugin has that name, `StoreError.duplicate(field: "version")` when the version exists.
    func publishPluginVersion(_ plugin: Plugin) async throws
    /// The current version.
    func plugin(name: String) async throws -> Plugin?
    /// A version that jobs were submitted against, current or not.
    func plugin(name: String, version: String) async throws -> Plugin?
    func listPlugins(nameContaining: String?, skip: Int, limit: Int) async throws -> Page<Plugin>
    /// Removes every version; queued jobs of the plugin fail with `failure` in the same transaction.
    /// Returns false when no plugin has that name.
    func deletePlugin(name: String, failingQueuedJobsWith failure: JobFailure, at now: Date) async throws -> Bool
}
