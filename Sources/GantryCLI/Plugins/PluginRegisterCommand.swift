import ArgumentParser
import Foundation
import GantryOpenAPI

struct PluginRegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register a plugin from its plugin.json (admin).",
        discussion: """
            The file holds seed 003's plugin.json: name, version, description, docker_image (or \
            docker_image_url), input_schema and output_schema, and optionally resources {cpu, memory_mb, gpus}, \
            timeout_seconds, input_mode (stdin or argv) and network. A name that is already registered is \
            refused; publish a new version with --update or `gantry plugins update`.

            Examples:
              gantry plugins register plugins/classifier/plugin.json
              gantry plugins register --update plugins/classifier/plugin.json
              cat plugin.json | gantry plugins register -
            """
    )

    @OptionGroup var options: APIOptions
    @Argument(help: "plugin.json, or - to read it from stdin.") var file: String
    @Flag(help: "Publish a new version of a registered plugin instead.") var update = false

    func run() async throws {
        try await Self.publish(file: file, update: update, options: options)
    }

    /// Reads the manifest before anything is sent, so a wrong path or a broken file fails without a round trip.
    static func publish(file: String, update: Bool, options: APIOptions) async throws {
        try await GantryAPIClient.run(options) { api in
            let home = SSHPublicKeyFile.home(environment: ProcessInfo.processInfo.environment)
            let source = JSONInputFile.source(forPath: file, home: home)
            let manifest = try PluginManifestFile.load(source)
            for warning in PluginRendering.unknownFieldWarnings(manifest, label: source.label) {
                Console.error(warning)
            }
            let plugin = try await api.register(manifest, update: update)
            try api.emit(plugin) { PluginRendering.registered(plugin, updated: update) }
        }
    }
}

struct PluginUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Publish a new version of a registered plugin from its plugin.json (admin).",
        discussion: """
            The plugin is the one the file names. Jobs already submitted keep the version they were checked \
            against; new jobs get this one.
            """
    )

    @OptionGroup var options: APIOptions
    @Argument(help: "plugin.json, or - to read it from stdin.") var file: String

    func run() async throws {
        try await PluginRegisterCommand.publish(file: file, update: true, options: options)
    }
}
