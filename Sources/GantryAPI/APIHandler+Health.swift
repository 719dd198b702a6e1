import GantryEdge
import GantryOpenAPI

extension APIHandler {
    public func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .json(.init(status: "ok"))))
    }

    public func getHealthz(_ input: Operations.GetHealthz.Input) async throws -> Operations.GetHealthz.Output {
        .ok(.init(body: .json(.init(status: "ok"))))
    }

    public func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        let checks = await services.readiness()
        let ready = checks.values.allSatisfy { $0 == "ok" }
        let body = Components.Schemas.Readiness(
            status: ready ? .ready : .unavailable, checks: .init(additionalProperties: checks))
        return ready ? .ok(.init(body: .json(body))) : .serviceUnavailable(.init(body: .json(body)))
    }
}
