import GantryOpenAPI

/// The instance calls several commands share, each reduced to its success value.
extension GantryAPIClient {
    func listInstances(skip: Int = 0, limit: Int) async throws -> Components.Schemas.InstanceList {
        switch try await client.listInstances(query: .init(skip: skip, limit: limit)) {
        case .ok(let ok): return try ok.body.json
        default: throw CLIError.unexpectedResponse(Operations.ListInstances.id)
        }
    }

    func instance(id: String) async throws -> Components.Schemas.Instance {
        switch try await client.getInstance(path: .init(id: id)) {
        case .ok(let ok): return try ok.body.json
        default: throw CLIError.unexpectedResponse(Operations.GetInstance.id)
        }
    }

    /// The ID behind a UUID, ID prefix or name. Only a non-UUID costs a list call; 500 is the API's page maximum
    /// and, newest first, covers any instance someone is likely to refer to by name.
    func instanceID(for reference: String) async throws -> String {
        if let id = FullUUID.normalized(reference) { return id }
        let instances = try await listInstances(limit: 500).items
        return try InstanceReference.resolve(reference, among: instances.map(InstanceReference.Candidate.init))
    }
}
