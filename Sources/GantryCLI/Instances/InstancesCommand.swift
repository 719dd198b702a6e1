import ArgumentParser
import Foundation
import GantryOpenAPI

struct InstancesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instances",
        abstract: "Launch, inspect and control instances.",
        discussion: "Where an INSTANCE is expected, give its ID, an ID prefix of 8+ characters, or its name.",
        subcommands: [
            InstancesListCommand.self, InstanceLaunchCommand.self, InstanceShowCommand.self,
            InstanceStopCommand.self, InstanceStartCommand.self, InstanceTerminateCommand.self,
            InstanceLogsCommand.self,
        ]
    )
}

struct InstancesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List instances (yours; all of them for admins), newest first.",
        aliases: ["ls"])

    @OptionGroup var options: APIOptions
    @OptionGroup var page: PageOptions

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let list = try await api.listInstances(skip: page.skip, limit: page.limit)
            try api.emit(list) { InstanceRendering.table(list.items, now: Date()) }
            api.notePaging(shown: list.items.count, skip: page.skip, total: list.total)
        }
    }
}

struct InstanceShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one instance.")

    @OptionGroup var options: APIOptions
    @Argument(help: "Instance ID, ID prefix or name.") var instance: String

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let found = try await api.instance(id: try await api.instanceID(for: instance))
            try api.emit(found) { InstanceRendering.details(found, now: Date()) }
        }
    }
}

/// The three lifecycle verbs differ only in the call they make; the server answers each with the instance in
/// its new transitional state.
enum InstanceAction: Sendable {
    case stop, start, terminate

    func perform(on id: String, with api: GantryAPIClient) async throws -> Components.Schemas.Instance {
        switch self {
        case .stop:
            switch try await api.client.stopInstance(path: .init(id: id)) {
            case .accepted(let accepted): return try accepted.body.json
            default: throw CLIError.unexpectedResponse(Operations.StopInstance.id)
            }
        case .start:
            switch try await api.client.startInstance(path: .init(id: id)) {
            case .accepted(let accepted): return try accepted.body.json
            default: throw CLIError.unexpectedResponse(Operations.StartInstance.id)
            }
        case .terminate:
            switch try await api.client.terminateInstance(path: .init(id: id)) {
            case .accepted(let accepted): return try accepted.body.json
            default: throw CLIError.unexpectedResponse(Operations.TerminateInstance.id)
            }
        }
    }

    static func run(_ action: InstanceAction, reference: String, options: APIOptions) async throws {
        try await GantryAPIClient.run(options) { api in
            let instance = try await action.perform(on: try await api.instanceID(for: reference), with: api)
            try api.emit(instance) { InstanceRendering.summary(instance) }
        }
    }
}

struct InstanceStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop a running instance; its filesystem is kept.")

    @OptionGroup var options: APIOptions
    @Argument(help: "Instance ID, ID prefix or name.") var instance: String

    func run() async throws {
        try await InstanceAction.run(.stop, reference: instance, options: options)
    }
}

struct InstanceStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a stopped instance.")

    @OptionGroup var options: APIOptions
    @Argument(help: "Instance ID, ID prefix or name.") var instance: String

    func run() async throws {
        try await InstanceAction.run(.start, reference: instance, options: options)
    }
}

struct InstanceTerminateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terminate",
        abstract: "Terminate an instance; its container is removed and its port and quota freed.",
        aliases: ["rm"])

    @OptionGroup var options: APIOptions
    @Argument(help: "Instance ID, ID prefix or name.") var instance: String

    func run() async throws {
        try await InstanceAction.run(.terminate, reference: instance, options: options)
    }
}

struct InstanceLogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print the tail of an instance's container output.")

    @OptionGroup var options: APIOptions
    @Argument(help: "Instance ID, ID prefix or name.") var instance: String
    @Option(help: "Lines from the end (1-10000; server default 100).") var tail: Int?

    func validate() throws {
        if let tail, !(1...10_000).contains(tail) { throw ValidationError("--tail must be between 1 and 10000") }
    }

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let id = try await api.instanceID(for: instance)
            let logs: Components.Schemas.InstanceLogs
            switch try await api.client.getInstanceLogs(path: .init(id: id), query: .init(tail: tail)) {
            case .ok(let ok): logs = try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.GetInstanceLogs.id)
            }
            // As-is: the container's own line breaks, nothing added.
            try api.emit(logs) { logs.logs }
        }
    }
}
