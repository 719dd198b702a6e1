import ArgumentParser
import Foundation
import GantryOpenAPI

struct SessionCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a GPU session and print the ssh command to get into it.",
        discussion: """
            The GPU device (a MIG slice, or a whole GPU) is reserved for the session alone. A GPU without MIG \
            serves a MIG request whole, and the output says so. The call returns once the container runs. \
            Admins create sessions for anyone; users for themselves where self-service is on.

            Examples:
              gantry sessions create --user alice --profile 3g.20gb --ttl 120
              gantry sessions create --profile full --name train --image pytorch
              gantry sessions create --profile none --cpu 2 --memory-mb 4096
            """
    )

    /// The contract's name rule, `^[a-z0-9][a-z0-9-]{0,62}$`; checked here so a typo fails before a GPU is
    /// reserved.
    static func isValidName(_ name: String) -> Bool {
        let scalars = name.unicodeScalars
        func isLowercaseOrDigit(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        guard let first = scalars.first, scalars.count <= 63, isLowercaseOrDigit(first) else { return false }
        return scalars.allSatisfy { isLowercaseOrDigit($0) || $0 == "-" }
    }

    @OptionGroup var options: APIOptions
    @Option(help: "User ID or username (admin; default: you).") var user: String?
    @Option(help: "MIG profile such as 3g.20gb (see `gantry gpus profiles`), full for a whole GPU, or none.")
    var profile: String
    @Option(help: "Minutes until the session expires (server default 60).") var ttl: Int?
    @Option(help: "Catalog image name or image reference (server default).") var image: String?
    @Option(help: "Session name: lowercase letters, digits and dashes; reach it as ssh USER+NAME@host.")
    var name: String?
    @Option(help: "CPU cores, e.g. 0.5 or 4 (server default).") var cpu: Double?
    @Option(name: .customLong("memory-mb"), help: "Memory in MB (server default).") var memoryMb: Int?

    func validate() throws {
        guard !profile.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--profile must not be empty")
        }
        if let ttl, ttl <= 0 { throw ValidationError("--ttl must be greater than 0") }
        if let cpu, !(cpu.isFinite && cpu > 0) { throw ValidationError("--cpu must be greater than 0") }
        if let memoryMb, memoryMb <= 0 { throw ValidationError("--memory-mb must be greater than 0") }
        if let name, !Self.isValidName(name) {
            throw ValidationError(
                "--name must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit")
        }
    }

    var request: Components.Schemas.SessionRequest {
        .init(
            userId: user, migProfile: profile, ttlMinutes: ttl, image: image, name: name, cpu: cpu,
            memoryMb: memoryMb)
    }

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            if !api.json { Console.error("Creating the session; this waits until its container runs...") }
            let session: Components.Schemas.Session
            switch try await api.client.createSession(body: .json(request)) {
            case .created(let created): session = try created.body.json
            default: throw CLIError.unexpectedResponse(Operations.CreateSession.id)
            }
            try api.emit(session) { SessionRendering.created(session, now: Date()) }
        }
    }
}
