import ArgumentParser

/// `gantry` is both the server (`gantry serve`) and the client (`gantry login`, `gantry instances …`).
struct Gantry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gantry",
        abstract: "Gantry: a self-hosted control plane for GPU and container clusters.",
        subcommands: [ServeCommand.self]
    )
}

await Gantry.main()
