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
            let version = Components.Schemas.NewPluginVersion(value1: manifest.plugin, value2: .init(value1: .init()))
            switch try await client.updatePlugin(path: .init(name: manifest.name), body: .json(version)) {
            case .ok(let ok): return try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.UpdatePlugin.id)
            }
        }
        // The registration's second part only restates what is required (name, an image).
        let registration = Components.Schemas.NewPluginRegistration(
            value1: manifest.plugin, value2: .init(value1: .init()))
        switch try await client.createPlugin(body: .json(registration)) {
        case .created(let created): return try created.body.json
        default: throw CLIError.unexpectedResponse(Operations.CreatePlugin.id)
        }
    }
}
