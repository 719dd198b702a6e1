import GantryOpenAPI

/// The plugin calls the `plugins` commands share, each reduced to its success value.
extension GantryAPIClient {
    func listPlugins(skip: Int = 0, limit: Int, name: String? = nil) async throws -> Components.Schemas.PluginList {
        switch try await client.listPlugins(query: .init(skip: skip, limit: limit, name: name)) {
        case .ok(let ok): return try ok.body.json
        default: throw CLIError.unexpectedResponse(Operations.ListPlugins.id)
        }
    }

    func plugin(named name: String) async throws -> Components.Schemas.Plugin {
        switch try await client.getPlugin(path: .init(name: name)) {
        case .ok(let ok): return try ok.body.json
        default: throw CLIError.unexpectedResponse(Operations.GetPlugin.id)
        }
    }

    /// Registers a new plugin, or with `update` publishes a new version of the one the manifest names.
    func register(_ manifest: PluginManifest, update: Bool) async throws -> Components.Schemas.Plugin {
        if update {
            switch try await client.updatePlugin(path: .init(name: manifest.name), body: .json(manifest.plugin)) {
            case .ok(let ok): return try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.UpdatePlugin.id)
            }
        }
        switch try await client.createPlugin(body: .json(manifest.plugin)) {
        case .created(let created): return try created.body.json
        default: throw CLIError.unexpectedResponse(Operations.CreatePlugin.id)
        }
    }
}
