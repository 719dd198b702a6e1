import GantryEdge
import GantryOpenAPI
import GantryPorts
import GantryServices

extension APIHandler {
    public func listNodes(_ input: Operations.ListNodes.Input) async throws -> Operations.ListNodes.Output {
        _ = try await principal()
        let page = try await services.nodes.list(skip: input.query.skip ?? 0, limit: input.query.limit ?? 50)
        return .ok(.init(body: .json(.init(total: page.total, items: page.items.map(Components.Schemas.Node.init)))))
    }

    public func getCluster(_ input: Operations.GetCluster.Input) async throws -> Operations.GetCluster.Output {
        _ = try await principal()
        return .ok(.init(body: .json(.init(try await services.nodes.cluster()))))
    }
}
