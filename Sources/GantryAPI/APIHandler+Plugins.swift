import Foundation
import GantryCore
import GantryEdge
import GantryOpenAPI
import GantryPorts
import GantryServices

extension APIHandler {
    public func listPlugins(_ input: Operations.ListPlugins.Input) async throws -> Operations.ListPlugins.Output {
        _ = try await principal()
        let page = try await services.plugins.list(
            nameContaining: input.query.name, skip: input.query.skip ?? 0, limit: input.query.limit ?? 100)
        return .ok(.init(body: .json(.init(total: page.total, items: page.items.map(Components.Schemas.Plugin.init)))))
    }

    public func createPlugin(_ input: Operations.CreatePlugin.Input) async throws -> Operations.CreatePlugin.Output {
        guard case .json(let body) = input.body else { throw GantryError.invalid("expected a JSON body") }
        let plugin = try await services.plugins.register(PluginManifest(body.value1), by: try await principal())
        return .created(.init(body: .json(.init(plugin))))
    }

    public func getPlugin(_ input: Operations.GetPlugin.Input) async throws -> Operations.GetPlugin.Output {
        _ = try await principal()
        return .ok(.init(body: .json(.init(try await services.plugins.plugin(name: input.path.name)))))
    }

    public func updatePlugin(_ input: Operations.UpdatePlugin.Input) async throws -> Operations.UpdatePlugin.Output {
        guard case .json(let body) = input.body else { throw GantryError.invalid("expected a JSON body") }
        let plugin = try await services.plugins.publish(
            name: input.path.name, PluginManifest(body.value1), by: try await principal())
        return .ok(.init(body: .json(.init(plugin))))
    }

    public func deletePlugin(_ input: Operations.DeletePlugin.Input) async throws -> Operations.DeletePlugin.Output {
        try await services.plugins.delete(name: input.path.name, by: try await principal())
        return .noContent(.init())
    }
}
