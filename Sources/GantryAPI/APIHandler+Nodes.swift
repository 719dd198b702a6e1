import GantryOpenAPI
import GantryServices

extension APIHandler {
    public func listNodes(_ input: Operations.ListNodes.Input) async throws -> Operations.ListNodes.Output {
        _ = try await principal()
        let window = try PageWindow(skip: input.query.skip ?? 0, limit: input.query.limit ?? 50)
        let nodes = try await services.nodes.list()
        let items = nodes.dropFirst(window.skip).prefix(window.limit).map(Components.Schemas.Node.init)
        return .ok(.init(body: .json(.init(total: nodes.count, items: Array(items)))))
    }

    public func getCluster(_ input: Operations.GetCluster.Input) async throws -> Operations.GetCluster.Output {
        _ = try await principal()
        return .ok(.init(body: .json(.init(try await services.nodes.cluster()))))
    }
}
