import ArgumentParser
import Foundation
import GantryOpenAPI

struct SSHKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh-keys",
        abstract: "Manage the SSH public keys that let you into your GPU sessions.",
        discussion: """
            The SSH gateway accepts Ed25519 and ECDSA keys. Where a KEY is expected, give its ID (or an ID \
            prefix of 8+ characters), its name, or its fingerprint. Without a PATH, `add` reads \
            ~/.ssh/id_ed25519.pub, else ~/.ssh/id_ecdsa.pub.

            Examples:
              gantry ssh-keys add
              gantry ssh-keys add ~/.ssh/work.pub --name work
              ssh-add -L | head -1 | gantry ssh-keys add -
              gantry ssh-keys list
              gantry ssh-keys rm work
            """,
        subcommands: [SSHKeyAddCommand.self, SSHKeysListCommand.self, SSHKeyRemoveCommand.self]
    )
}

extension GantryAPIClient {
    func listSSHKeys() async throws -> Components.Schemas.SSHKeyList {
        switch try await client.listSSHKeys() {
        case .ok(let ok): return try ok.body.json
        default: throw CLIError.unexpectedResponse(Operations.ListSSHKeys.id)
        }
    }
}

struct SSHKeyAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Register an SSH public key and print its fingerprint.",
        discussion: "Without PATH, the first of ~/.ssh/id_ed25519.pub and ~/.ssh/id_ecdsa.pub that exists is used."
    )

    @OptionGroup var options: APIOptions
    @Argument(help: "Public key file, or - to read it from stdin.") var path: String?
    @Option(help: "A name to recognise the key by (default: the key's comment).") var name: String?

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            // The key is read before anything is sent, so a wrong path fails without a round trip.
            let home = SSHPublicKeyFile.home(environment: ProcessInfo.processInfo.environment)
            let source = try SSHPublicKeyFile.source(for: path, home: home)
            let publicKey = try SSHPublicKeyFile.read(source)
            let key: Components.Schemas.SSHKey
            switch try await api.client.addSSHKey(body: .json(.init(name: name, publicKey: publicKey))) {
            case .created(let created): key = try created.body.json
            default: throw CLIError.unexpectedResponse(Operations.AddSSHKey.id)
            }
            try api.emit(key) { SSHKeyRendering.added(key) }
        }
    }
}

struct SSHKeysListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List your SSH keys.", aliases: ["ls"])

    @OptionGroup var options: APIOptions

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let list = try await api.listSSHKeys()
            try api.emit(list) { SSHKeyRendering.table(list.items, now: Date()) }
        }
    }
}

struct SSHKeyRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove an SSH key; it no longer opens the gateway.", aliases: ["delete"])

    @OptionGroup var options: APIOptions
    @Argument(help: "Key ID, ID prefix, name or fingerprint.") var key: String

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let found = try SSHKeyReference.resolve(key, among: try await api.listSSHKeys().items)
            switch try await api.client.deleteSSHKey(path: .init(id: found.id)) {
            case .noContent: break
            default: throw CLIError.unexpectedResponse(Operations.DeleteSSHKey.id)
            }
            try api.emit(["deleted": found.id]) {
                "Removed SSH key \(Format.orDash(found.name)) (\(found.fingerprint))\n"
            }
        }
    }
}
