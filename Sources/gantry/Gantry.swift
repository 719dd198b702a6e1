import ArgumentParser
import GantryCLI

/// `gantry` is both the server (`gantry serve`) and the client (`gantry login`, `gantry instances …`).
@main
struct Gantry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gantry",
        abstract: "Gantry: a self-hosted control plane for GPU and container clusters.",
        subcommands: [ServeCommand.self] + ClientCommands.all
    )
}
