import ArgumentParser
import GantryOpenAPI

struct GPUsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpus",
        abstract: "The GPUs of every node, their MIG devices, and who holds them.",
        discussion: """
            Without a subcommand, lists the GPUs.

            Examples:
              gantry gpus
              gantry gpus profiles
              gantry gpus --json
            """,
        subcommands: [GPUsListCommand.self, GPUProfilesCommand.self],
        defaultSubcommand: GPUsListCommand.self
    )
}

struct GPUsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List GPUs with their MIG mode and devices, and the session holding each (or free).",
        aliases: ["ls"])

    @OptionGroup var options: APIOptions

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let list: Components.Schemas.GPUList
            switch try await api.client.listGPUs() {
            case .ok(let ok): list = try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.ListGPUs.id)
            }
            try api.emit(list) { GPURendering.table(list.items) }
        }
    }
}

struct GPUProfilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List MIG profiles with how many devices of each exist and are free.",
        discussion: "Use a PROFILE with `gantry sessions create --profile`; `full` asks for a whole GPU."
    )

    @OptionGroup var options: APIOptions

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let list: Components.Schemas.GPUProfileList
            switch try await api.client.listGPUProfiles() {
            case .ok(let ok): list = try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.ListGPUProfiles.id)
            }
            try api.emit(list) { GPURendering.profiles(list) }
        }
    }
}
