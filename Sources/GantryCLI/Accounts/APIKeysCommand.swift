import ArgumentParser
import Foundation
import GantryOpenAPI

struct APIKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-keys",
        abstract: "Manage your API keys, for scripts and CI (send one as --token or GANTRY_TOKEN).",
        subcommands: [APIKeyCreateCommand.self, APIKeysListCommand.self, APIKeyDeleteCommand.self]
    )
}

extension GantryAPIClient {
    func listAPIKeys() async throws -> Components.Schemas.APIKeyList {
        switch try await client.listAPIKeys() {
        case .ok(let ok): return try ok.body.json
        default: throw CLIError.unexpectedResponse(Operations.ListAPIKeys.id)
        }
    }
}

struct APIKeyCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create an API key; its token is shown only this once.")

    @OptionGroup var options: APIOptions
    @Argument(help: "A name to recognise the key by.") var name: String

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let key: Components.Schemas.CreatedAPIKey
            switch try await api.client.createAPIKey(body: .json(.init(name: name))) {
            case .created(let created): key = try created.body.json
            default: throw CLIError.unexpectedResponse(Operations.CreateAPIKey.id)
            }
            try api.emit(key) {
                "Created API key \(key.name) (\(key.id))\n\(key.token)\n"
                    + "Store this token now: it cannot be shown again.\n"
            }
        }
    }
}

struct APIKeysListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List your API keys (never their tokens).", aliases: ["ls"])

    @OptionGroup var options: APIOptions

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let list = try await api.listAPIKeys()
            try api.emit(list) {
                TableRenderer("ID", "NAME", "PREFIX", "CREATED").render(
                    list.items.map { key in
                        [key.id, key.name, key.prefix, Format.timestamp(key.createdAt)]
                    })
            }
        }
    }
}

struct APIKeyDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Revoke an API key.", aliases: ["rm"])

    @OptionGroup var options: APIOptions
    @Argument(help: "Key ID, or its name.") var key: String

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let id = try await Self.resolve(key, api: api)
            switch try await api.client.deleteAPIKey(path: .init(id: id)) {
            case .noContent: break
            default: throw CLIError.unexpectedResponse(Operations.DeleteAPIKey.id)
            }
            try api.emit(["deleted": id]) { "Revoked API key \(id)\n" }
        }
    }

    /// A UUID is used as is; a name must match exactly one of the caller's keys.
    static func resolve(_ reference: String, api: GantryAPIClient) async throws -> String {
        if let id = FullUUID.normalized(reference) { return id }
        let matches = try await api.listAPIKeys().items.filter { $0.name == reference }
        guard let match = matches.first else { throw CLIError.notFound("no API key named \"\(reference)\"") }
        guard matches.count == 1 else {
            throw CLIError.ambiguous("\(matches.count) API keys are named \"\(reference)\"; use an ID")
        }
        return match.id
    }
}
