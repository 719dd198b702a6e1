import Foundation
import GantryCore
import GantryEdge
import GantryOpenAPI
import GantryPorts
import GantryServices

extension APIHandler {
    public func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        let request: Components.Schemas.TokenRequest
        switch input.body {
        case .json(let body): request = body
        case .urlEncodedForm(let body): request = body
        }
        let token = try await services.users.login(usernameOrEmail: request.username, password: request.password)
        return .ok(
            .init(body: .json(.init(accessToken: token.accessToken, tokenType: "bearer", expiresIn: token.expiresIn))))
    }

    public func getCurrentUser(
        _ input: Operations.GetCurrentUser.Input
    ) async throws
        -> Operations.GetCurrentUser.Output
    {
        .ok(.init(body: .json(.init(try await principal().user))))
    }

    public func getCurrentUserQuota(
        _ input: Operations.GetCurrentUserQuota.Input
    ) async throws
        -> Operations.GetCurrentUserQuota.Output
    {
        let caller = try await principal()
        return .ok(.init(body: .json(.init(try await services.users.quota(of: caller.id, by: caller)))))
    }

    public func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        let page = try await services.users.listUsers(
            by: try await principal(), skip: input.query.skip ?? 0, limit: input.query.limit ?? 50)
        return .ok(.init(body: .json(.init(total: page.total, items: page.items.map(Components.Schemas.User.init)))))
    }

    public func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        guard case .json(let body) = input.body else { throw GantryError.invalid("expected a JSON body") }
        let user = try await services.users.createUser(
            NewUser(
                email: body.email, username: body.username, password: body.password, fullName: body.fullName ?? "",
                role: body.role?.domain ?? .user),
            by: try await optionalPrincipal(), openSignUp: services.openSignUp)
        return .created(.init(body: .json(.init(user))))
    }

    public func getUser(_ input: Operations.GetUser.Input) async throws -> Operations.GetUser.Output {
        let user = try await services.users.user(id: try uuid(input.path.id, "user"), by: try await principal())
        return .ok(.init(body: .json(.init(user))))
    }

    public func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        guard case .json(let body) = input.body else { throw GantryError.invalid("expected a JSON body") }
        let caller = try await principal()
        let user = try await services.users.updateUser(
            id: try uuid(input.path.id, "user"),
            changes: UserChanges(
                isActive: body.isActive, role: body.role?.domain, fullName: body.fullName, quota: body.quota?.domain),
            by: caller)
        return .ok(.init(body: .json(.init(user))))
    }

    public func getUserQuota(_ input: Operations.GetUserQuota.Input) async throws -> Operations.GetUserQuota.Output {
        let report = try await services.users.quota(of: try uuid(input.path.id, "user"), by: try await principal())
        return .ok(.init(body: .json(.init(report))))
    }

    public func listAPIKeys(_ input: Operations.ListAPIKeys.Input) async throws -> Operations.ListAPIKeys.Output {
        let keys = try await services.users.apiKeys(by: try await principal())
        return .ok(.init(body: .json(.init(total: keys.count, items: keys.map(Components.Schemas.APIKey.init)))))
    }

    public func createAPIKey(_ input: Operations.CreateAPIKey.Input) async throws -> Operations.CreateAPIKey.Output {
        guard case .json(let body) = input.body else { throw GantryError.invalid("expected a JSON body") }
        let created = try await services.users.createAPIKey(name: body.name, by: try await principal())
        return .created(
            .init(
                body: .json(
                    .init(
                        id: created.key.id.uuidString.lowercased(), name: created.key.name, prefix: created.key.prefix,
                        createdAt: created.key.createdAt, token: created.token))))
    }

    public func deleteAPIKey(_ input: Operations.DeleteAPIKey.Input) async throws -> Operations.DeleteAPIKey.Output {
        try await services.users.deleteAPIKey(id: try uuid(input.path.id, "API key"), by: try await principal())
        return .noContent(.init())
    }
}
