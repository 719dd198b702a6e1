import Foundation
import GantryCore
import GantryPorts
import Logging

/// The plugin registry (seed 003): admins register and version plugins; everyone reads them.
public struct PluginService: Sendable {
    let store: any PluginStore
    let settings: JobSettings
    let schemas: JobSchemaCache
    let clock: WallClock
    let logger: Logger

    public init(
        store: any PluginStore, settings: JobSettings, schemas: JobSchemaCache, clock: WallClock = .system,
        logger: Logger
    ) {
        self.clock = clock
        self.store = store
        self.settings = settings
        self.schemas = schemas
        self.logger = logger
    }

    public func register(_ manifest: PluginManifest, by caller: Principal) async throws -> Plugin {
        try caller.requireAdmin()
        guard let name = manifest.name else { throw GantryError.invalid("name is required") }
        let plugin = try manifest.validated(name: name, settings: settings, now: clock.now)
        do {
            try await store.createPlugin(plugin)
        } catch StoreError.duplicate {
            throw GantryError(
                .conflict, code: "duplicate_name",
                detail:
                    "a plugin named '\(name)' is already registered; publish a new version with PUT /api/v1/plugins/\(name)"
            )
        }
        logger.info(
            "plugin registered",
            metadata: ["plugin": "\(name)", "version": "\(plugin.version)", "by": "\(caller.user.username)"])
        return plugin
    }

    /// Publishes a new version; jobs already submitted keep running the version they were
    /// validated against.
    public func publish(name: String, _ manifest: PluginManifest, by caller: Principal) async throws -> Plugin {
        try caller.requireAdmin()
        if let named = manifest.name, named != name {
            throw GantryError(
                .conflict, code: "name_mismatch", detail: "the manifest names '\(named)' but the path names '\(name)'")
        }
        guard let current = try await store.plugin(name: name) else { throw GantryError.notFound("plugin '\(name)'") }
        var plugin = try manifest.validated(name: name, settings: settings, now: clock.now)
        plugin.createdAt = current.createdAt
        do {
            try await store.publishPluginVersion(plugin)
        } catch StoreError.duplicate {
            throw GantryError(
                .conflict, code: "version_exists",
                detail: "plugin '\(name)' already has a version \(plugin.version); versions are immutable")
        } catch StoreError.notFound {
            throw GantryError.notFound("plugin '\(name)'")
        }
        logger.info(
            "plugin version published",
            metadata: [
                "plugin": "\(name)", "version": "\(plugin.version)", "previous": "\(current.version)",
                "by": "\(caller.user.username)",
            ])
        return plugin
    }

    public func plugin(name: String) async throws -> Plugin {
        guard let plugin = try await store.plugin(name: name) else { throw GantryError.notFound("plugin '\(name)'") }
        return plugin
    }

    public func list(nameContaining: String?, skip: Int, limit: Int) async throws -> Page<Plugin> {
        let window = try PageWindow(skip: skip, limit: limit)
        return try await store.listPlugins(nameContaining: nameContaining, skip: window.skip, limit: window.limit)
    }

    public func delete(name: String, by caller: Principal) async throws {
        try caller.requireAdmin()
        let failure = JobFailure(.pluginMissing, "plugin '\(name)' was removed before the job ran")
        guard try await store.deletePlugin(name: name, failingQueuedJobsWith: failure, at: clock.now) else {
            throw GantryError.notFound("plugin '\(name)'")
        }
        logger.info("plugin removed", metadata: ["plugin": "\(name)", "by": "\(caller.user.username)"])
    }
}
