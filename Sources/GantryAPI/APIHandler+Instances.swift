import Foundation
import GantryCore
import GantryEdge
import GantryOpenAPI
import GantryPorts
import GantryServices

extension APIHandler {
    public func listInstances(_ input: Operations.ListInstances.Input) async throws -> Operations.ListInstances.Output {
        let page = try await services.instances.list(
            by: try await principal(), skip: input.query.skip ?? 0, limit: input.query.limit ?? 50)
        return .ok(
            .init(body: .json(.init(total: page.total, items: page.items.map(Components.Schemas.Instance.init)))))
    }

    public func launchInstance(
        _ input: Operations.LaunchInstance.Input
    ) async throws
        -> Operations.LaunchInstance.Output
    {
        guard case .json(let body) = input.body else { throw GantryError.invalid("expected a JSON body") }
        let instance = try await services.instances.launch(
            LaunchRequest(
                name: body.name, image: body.image, cpu: body.cpu, memoryMB: body.memoryMb, gpus: body.gpus ?? 0),
            by: try await principal())
        return .accepted(.init(body: .json(.init(instance))))
    }

    public func getInstance(_ input: Operations.GetInstance.Input) async throws -> Operations.GetInstance.Output {
        let instance = try await services.instances.instance(
            id: try uuid(input.path.id, "instance"), by: try await principal())
        return .ok(.init(body: .json(.init(instance))))
    }

    public func terminateInstance(
        _ input: Operations.TerminateInstance.Input
    ) async throws
        -> Operations.TerminateInstance.Output
    {
        let instance = try await services.instances.terminate(
            id: try uuid(input.path.id, "instance"), by: try await principal())
        return .accepted(.init(body: .json(.init(instance))))
    }

    public func stopInstance(_ input: Operations.StopInstance.Input) async throws -> Operations.StopInstance.Output {
        let instance = try await services.instances.stop(
            id: try uuid(input.path.id, "instance"), by: try await principal())
        return .accepted(.init(body: .json(.init(instance))))
    }

    public func startInstance(_ input: Operations.StartInstance.Input) async throws -> Operations.StartInstance.Output {
        let instance = try await services.instances.start(
            id: try uuid(input.path.id, "instance"), by: try await principal())
        return .accepted(.init(body: .json(.init(instance))))
    }

    public func getInstanceLogs(
        _ input: Operations.GetInstanceLogs.Input
    ) async throws
        -> Operations.GetInstanceLogs.Output
    {
        let id = try uuid(input.path.id, "instance")
        let logs = try await services.instances.logs(id: id, tail: input.query.tail ?? 100, by: try await principal())
        return .ok(.init(body: .json(.init(instanceId: id.uuidString.lowercased(), logs: logs))))
    }
}
