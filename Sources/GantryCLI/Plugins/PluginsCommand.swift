import ArgumentParser
import Foundation
import GantryOpenAPI

struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "Register and inspect plugins: container images that turn JSON input into a JSON result.",
        discussion: """
            A plugin is registered from its plugin.json (seed 003) and then run as jobs (see `gantry jobs`). \
            Where a PLUGIN is expected, give its name.

            Examples:
              gantry plugins register plugins/classifier/plugin.json
              gantry plugins list
              gantry plugins show classifier
              gantry plugins update plugins/classifier/plugin.json
              gantry plugins rm classifier
            """,
        subcommands: [
            PluginsListCommand.self, PluginShowCommand.self, PluginRegisterCommand.self, PluginUpdateCommand.self,
            PluginRemoveCommand.self,
        ]
    )
}

struct PluginsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List registered plugins, by name.", aliases: ["ls"])

    @OptionGroup var options: APIOptions
    @OptionGroup var page: PageOptions
    @Option(help: "Only plugins whose name contains this text.") var name: String?
    @Flag(help: "Every page, however many plugins there are (ignores --limit and --skip).") var all = false

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let list: Components.Schemas.PluginList
            if all {
                let everything = try await AllPages.collect { skip, limit in
                    let page = try await api.listPlugins(skip: skip, limit: limit, name: name)
                    return (page.items, page.total)
                }
                list = .init(total: everything.total, items: everything.items)
            } else {
                list = try await api.listPlugins(skip: page.skip, limit: page.limit, name: name)
            }
            try api.emit(list) { PluginRendering.table(list.items, now: Date()) }
            if !all { api.notePaging(shown: list.items.count, skip: page.skip, total: list.total) }
        }
    }
}

struct PluginShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one plugin with its input and output schemas.")

    @OptionGroup var options: APIOptions
    @Argument(help: "Plugin name.") var name: String

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let plugin = try await api.plugin(named: name)
            try api.emit(plugin) { PluginRendering.details(plugin, now: Date()) }
        }
    }
}

struct PluginRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove a plugin (admin); its queued jobs fail with plugin_missing.",
        aliases: ["remove", "delete"])

    @OptionGroup var options: APIOptions
    @Argument(help: "Plugin name.") var name: String

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            switch try await api.client.deletePlugin(path: .init(name: name)) {
            case .noContent: break
            default: throw CLIError.unexpectedResponse(Operations.DeletePlugin.id)
            }
            // 204 has no body; scripts still get an object to parse.
            try api.emit(["removed": name]) { PluginRendering.removed(name) }
        }
    }
}
