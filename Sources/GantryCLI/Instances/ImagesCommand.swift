import ArgumentParser
import Foundation
import GantryOpenAPI

struct ImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "The image catalog instances are launched from.",
        subcommands: [ImagesListCommand.self, ImageShowCommand.self, ImageAddCommand.self, ImageRemoveCommand.self]
    )
}

/// How catalog images look to people.
enum ImageRendering {
    static func table(_ images: [Components.Schemas.Image]) -> String {
        TableRenderer(columns: [
            .init("NAME"), .init("DISPLAY NAME"), .init("REFERENCE"), .init("PORT", alignment: .right),
        ]).render(images.map { [$0.name, $0.displayName, $0.reference, String($0.port)] })
    }

    static func details(_ image: Components.Schemas.Image) -> String {
        DetailRenderer.render([
            ("Name", image.name),
            ("Display name", Format.orDash(image.displayName)),
            ("Reference", image.reference),
            ("Port", String(image.port)),
            ("Description", Format.orDash(image.description)),
            ("Command", Format.orDash(image.command?.joined(separator: " "))),
            ("Capabilities", Format.orDash(image.capabilities.joined(separator: ", "))),
            ("Created", Format.timestamp(image.createdAt)),
        ])
    }
}

struct ImagesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List catalog images.", aliases: ["ls"])

    @OptionGroup var options: APIOptions
    @OptionGroup var page: PageOptions

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let list: Components.Schemas.ImageList
            switch try await api.client.listImages(query: .init(skip: page.skip, limit: page.limit)) {
            case .ok(let ok): list = try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.ListImages.id)
            }
            try api.emit(list) { ImageRendering.table(list.items) }
            api.notePaging(shown: list.items.count, skip: page.skip, total: list.total)
        }
    }
}

struct ImageShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one catalog image.")

    @OptionGroup var options: APIOptions
    @Argument(help: "Image name.") var name: String

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let image: Components.Schemas.Image
            switch try await api.client.getImage(path: .init(name: name)) {
            case .ok(let ok): image = try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.GetImage.id)
            }
            try api.emit(image) { ImageRendering.details(image) }
        }
    }
}

struct ImageAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add an image to the catalog (admin).",
        discussion: "Give the command as --command ARG ..., or after `--` when an argument starts with a dash: "
            + "gantry images add --name web --reference python:3.12 --port 8000 -- python -m http.server"
    )

    @OptionGroup var options: APIOptions

    @Option(help: "Catalog name, e.g. jupyter.") var name: String
    @Option(help: "Docker image reference, e.g. quay.io/jupyter/base-notebook:latest.") var reference: String
    @Option(help: "Container port published as the instance endpoint.") var port: Int
    @Option(name: .customLong("display-name"), help: "Name shown to people.") var displayName: String?
    @Option(help: "What the image is for.") var description: String?
    @Option(parsing: .upToNextOption, help: "Command (and arguments) to run instead of the image's own.")
    var command: [String] = []
    @Option(parsing: .upToNextOption, help: "Linux capability to keep after dropping all (repeatable).")
    var capability: [String] = []
    @Argument(
        parsing: .postTerminator,
        help: ArgumentHelp("The command after `--`, for arguments that start with a dash.", valueName: "command"))
    var commandAfterTerminator: [String] = []

    func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        if !command.isEmpty && !commandAfterTerminator.isEmpty {
            throw ValidationError("give the command either with --command or after --, not both")
        }
    }

    func run() async throws {
        let command = command.isEmpty ? commandAfterTerminator : command
        try await GantryAPIClient.run(options) { api in
            let request = Components.Schemas.NewImage(
                name: name,
                displayName: displayName,
                reference: reference,
                port: port,
                description: description,
                command: command.isEmpty ? nil : command,
                capabilities: capability.isEmpty ? nil : capability
            )
            let image: Components.Schemas.Image
            switch try await api.client.createImage(body: .json(request)) {
            case .created(let created): image = try created.body.json
            default: throw CLIError.unexpectedResponse(Operations.CreateImage.id)
            }
            try api.emit(image) { "Added image \(image.name) (\(image.reference))\n" }
        }
    }
}

struct ImageRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove an image from the catalog (admin); running instances keep running.",
        aliases: ["rm"]
    )

    @OptionGroup var options: APIOptions
    @Argument(help: "Image name.") var name: String

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            switch try await api.client.deleteImage(path: .init(name: name)) {
            case .noContent: break
            default: throw CLIError.unexpectedResponse(Operations.DeleteImage.id)
            }
            // 204 has no body; scripts still get an object to parse.
            try api.emit(["removed": name]) { "Removed image \(name)\n" }
        }
    }
}
