import GantryCore
import GantryEdge
import GantryOpenAPI
import GantryPorts
import GantryServices

extension APIHandler {
    public func listImages(_ input: Operations.ListImages.Input) async throws -> Operations.ListImages.Output {
        _ = try await principal()
        let page = try await services.images.list(skip: input.query.skip ?? 0, limit: input.query.limit ?? 50)
        return .ok(.init(body: .json(.init(total: page.total, items: page.items.map(Components.Schemas.Image.init)))))
    }

    public func createImage(_ input: Operations.CreateImage.Input) async throws -> Operations.CreateImage.Output {
        guard case .json(let body) = input.body else { throw GantryError.invalid("expected a JSON body") }
        let image = CatalogImage(
            name: body.name, displayName: body.displayName ?? body.name, reference: body.reference, port: body.port,
            description: body.description ?? "", command: body.command, capabilities: body.capabilities ?? [])
        let created = try await services.images.create(image, by: try await principal())
        return .created(.init(body: .json(.init(created))))
    }

    public func getImage(_ input: Operations.GetImage.Input) async throws -> Operations.GetImage.Output {
        _ = try await principal()
        return .ok(.init(body: .json(.init(try await services.images.image(named: input.path.name)))))
    }

    public func deleteImage(_ input: Operations.DeleteImage.Input) async throws -> Operations.DeleteImage.Output {
        try await services.images.delete(name: input.path.name, by: try await principal())
        return .noContent(.init())
    }
}
