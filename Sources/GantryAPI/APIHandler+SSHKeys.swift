import Foundation
import GantryCore
import GantryEdge
import GantryOpenAPI
import GantryServices

extension APIHandler {
    public func listSSHKeys(_ input: Operations.ListSSHKeys.Input) async throws -> Operations.ListSSHKeys.Output {
        let keys = try await services.sshKeys.list(by: try await principal())
        return .ok(.init(body: .json(.init(total: keys.count, items: keys.map(Components.Schemas.SSHKey.init)))))
    }

    public func addSSHKey(_ input: Operations.AddSSHKey.Input) async throws -> Operations.AddSSHKey.Output {
        guard case .json(let body) = input.body else { throw GantryError.invalid("expected a JSON body") }
        let key = try await services.sshKeys.add(publicKey: body.publicKey, name: body.name, by: try await principal())
        return .created(.init(body: .json(.init(key))))
    }

    public func deleteSSHKey(_ input: Operations.DeleteSSHKey.Input) async throws -> Operations.DeleteSSHKey.Output {
        try await services.sshKeys.remove(id: try uuid(input.path.id, "ssh key"), by: try await principal())
        return .noContent(.init())
    }
}
