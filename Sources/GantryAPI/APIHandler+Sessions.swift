import Foundation
import GantryCore
import GantryEdge
import GantryOpenAPI
import GantryPorts
import GantryServices

extension APIHandler {
    public func listSessions(_ input: Operations.ListSessions.Input) async throws -> Operations.ListSessions.Output {
        let page = try await services.sessions.list(
            by: try await principal(), user: input.query.userId,
            state: input.query.status.flatMap { SessionState(rawValue: $0.rawValue) }, skip: input.query.skip ?? 0,
            limit: input.query.limit ?? 50)
        let views = try await services.sessions.views(page.items)
        return .ok(.init(body: .json(.init(total: page.total, items: views.map(Components.Schemas.Session.init)))))
    }

    public func createSession(_ input: Operations.CreateSession.Input) async throws -> Operations.CreateSession.Output {
        guard case .json(let body) = input.body else { throw GantryError.invalid("expected a JSON body") }
        let session = try await services.sessions.create(
            SessionRequest(
                user: body.userId, migProfile: body.migProfile, ttlMinutes: body.ttlMinutes, image: body.image,
                name: body.name, cpu: body.cpu, memoryMB: body.memoryMb),
            by: try await principal())
        return .created(.init(body: .json(.init(try await services.sessions.view(session)))))
    }

    public func getSessionStats(
        _ input: Operations.GetSessionStats.Input
    ) async throws
        -> Operations.GetSessionStats.Output
    {
        let stats = try await services.sessions.stats(by: try await principal())
        let byState = Dictionary(
            uniqueKeysWithValues: SessionState.allCases.map { ($0.rawValue, stats.byState[$0] ?? 0) })
        return .ok(
            .init(
                body: .json(
                    .init(
                        total: byState.values.reduce(0, +),
                        active: (stats.byState[.creating] ?? 0) + (stats.byState[.running] ?? 0),
                        byStatus: .init(additionalProperties: byState),
                        byProfile: .init(additionalProperties: stats.byProfile),
                        gpuDevicesTotal: stats.devicesTotal, gpuDevicesAllocated: stats.devicesAllocated,
                        gpuDevicesFree: stats.devicesTotal - stats.devicesAllocated))))
    }

    public func getSession(_ input: Operations.GetSession.Input) async throws -> Operations.GetSession.Output {
        let session = try await services.sessions.session(input.path.id, by: try await principal())
        return .ok(.init(body: .json(.init(try await services.sessions.view(session)))))
    }

    public func updateSession(_ input: Operations.UpdateSession.Input) async throws -> Operations.UpdateSession.Output {
        guard case .json(let body) = input.body else { throw GantryError.invalid("expected a JSON body") }
        let session = try await services.sessions.updateTTL(
            input.path.id, ttlMinutes: body.ttlMinutes, extendMinutes: body.extendMinutes, by: try await principal())
        return .ok(.init(body: .json(.init(try await services.sessions.view(session)))))
    }

    public func deleteSession(_ input: Operations.DeleteSession.Input) async throws -> Operations.DeleteSession.Output {
        let session = try await services.sessions.delete(input.path.id, by: try await principal())
        return .ok(.init(body: .json(.init(try await services.sessions.view(session)))))
    }
}
