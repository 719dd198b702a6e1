import ArgumentParser
import Foundation
import GantryOpenAPI

struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "Create and manage GPU sessions: containers with a MIG slice or GPU, reached over SSH.",
        discussion: """
            A session runs until its TTL passes (then it is expired) or it is removed; its workspace is kept \
            either way. Where a SESSION is expected, give its ID, an ID prefix of 8+ characters, or its name.

            Examples:
              gantry sessions create --profile 3g.20gb --name train --ttl 120
              gantry sessions list --status running
              gantry sessions extend train --minutes 60
              gantry sessions rm train
            """,
        subcommands: [
            SessionsListCommand.self, SessionCreateCommand.self, SessionShowCommand.self,
            SessionExtendCommand.self, SessionRemoveCommand.self, SessionStatsCommand.self,
        ]
    )
}

struct SessionsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List sessions (yours; everyone's for admins), newest first.",
        aliases: ["ls"])

    @OptionGroup var options: APIOptions
    @OptionGroup var page: PageOptions
    @Option(help: "Only sessions in this state.") var status: SessionStatusArgument?
    @Option(help: "Only this user's sessions: ID or username (admin).") var user: String?
    @Flag(help: "Every page, however many sessions there are (ignores --limit and --skip).") var all = false

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let list: Components.Schemas.SessionList
            if all {
                let everything = try await AllPages.collect { skip, limit in
                    let page = try await api.listSessions(
                        skip: skip, limit: limit, status: status?.status, user: user)
                    return (page.items, page.total)
                }
                list = .init(total: everything.total, items: everything.items)
            } else {
                list = try await api.listSessions(
                    skip: page.skip, limit: page.limit, status: status?.status, user: user)
            }
            try api.emit(list) { SessionRendering.table(list.items, now: Date()) }
            if !all { api.notePaging(shown: list.items.count, skip: page.skip, total: list.total) }
        }
    }
}

struct SessionShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one session, with its ssh command and workspace.")

    @OptionGroup var options: APIOptions
    @Argument(help: "Session ID, ID prefix or name.") var session: String

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let found = try await api.session(try await api.sessionPathID(for: session))
            try api.emit(found) { SessionRendering.details(found, now: Date()) }
        }
    }
}

struct SessionExtendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Give a running session more time, or set its TTL.",
        discussion: """
            --minutes adds to the current expiry; --ttl sets the whole lifetime, counted from creation, and so \
            can also shorten it.

            Examples:
              gantry sessions extend train --minutes 30
              gantry sessions extend 1a2b3c4d --ttl 240
            """
    )

    @OptionGroup var options: APIOptions
    @Argument(help: "Session ID, ID prefix or name.") var session: String
    @Option(help: "Minutes to add to the current expiry.") var minutes: Int?
    @Option(help: "New TTL in minutes, counted from the session's creation.") var ttl: Int?

    func validate() throws {
        switch (minutes, ttl) {
        case (nil, nil): throw ValidationError("give --minutes or --ttl")
        case (.some, .some): throw ValidationError("give either --minutes or --ttl, not both")
        case (.some(let minutes), nil) where minutes <= 0: throw ValidationError("--minutes must be greater than 0")
        case (nil, .some(let ttl)) where ttl <= 0: throw ValidationError("--ttl must be greater than 0")
        default: break
        }
    }

    var update: Components.Schemas.SessionUpdate { .init(ttlMinutes: ttl, extendMinutes: minutes) }

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let id = try await api.sessionPathID(for: session)
            let updated: Components.Schemas.Session
            switch try await api.client.updateSession(path: .init(id: id), body: .json(update)) {
            case .ok(let ok): updated = try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.UpdateSession.id)
            }
            try api.emit(updated) { SessionRendering.extended(updated, now: Date()) }
        }
    }
}

struct SessionRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "End a session: its container is removed and its GPU freed; the workspace is kept.",
        aliases: ["delete"])

    @OptionGroup var options: APIOptions
    @Argument(help: "Session ID, ID prefix or name.") var session: String

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let id = try await api.sessionPathID(for: session)
            let ended: Components.Schemas.Session
            switch try await api.client.deleteSession(path: .init(id: id)) {
            case .ok(let ok): ended = try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.DeleteSession.id)
            }
            try api.emit(ended) { SessionRendering.ended(ended) }
        }
    }
}

struct SessionStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Count sessions by state and profile, and GPU devices in use.")

    @OptionGroup var options: APIOptions

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let stats: Components.Schemas.SessionStats
            switch try await api.client.getSessionStats() {
            case .ok(let ok): stats = try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.GetSessionStats.id)
            }
            try api.emit(stats) { SessionRendering.stats(stats) }
        }
    }
}
