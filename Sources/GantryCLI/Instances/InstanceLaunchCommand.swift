import ArgumentParser
import Foundation
import GantryOpenAPI

struct InstanceLaunchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Launch an instance from a catalog image.",
        discussion: "The server places the instance at once and starts its container in the background; "
            + "--wait follows it until it runs."
    )

    @OptionGroup var options: APIOptions

    @Option(help: "Instance name, unique among your instances.") var name: String
    @Option(help: "Catalog image name (see `gantry images list`).") var image: String
    @Option(help: "CPU cores, e.g. 0.5 or 2.") var cpu: Double
    @Option(name: .customLong("memory-mb"), help: "Memory in MB.") var memoryMb: Int
    @Option(help: "GPUs (default 0).") var gpus: Int?
    @Flag(help: "Wait until the instance is running (or has failed).") var wait = false
    @Option(help: "With --wait: give up after this many seconds (default 300).") var timeout: Double?

    func validate() throws {
        guard cpu.isFinite, cpu > 0 else { throw ValidationError("--cpu must be greater than 0") }
        guard memoryMb > 0 else { throw ValidationError("--memory-mb must be greater than 0") }
        if let gpus, gpus < 0 { throw ValidationError("--gpus must not be negative") }
        if let timeout {
            guard wait else { throw ValidationError("--timeout only applies with --wait") }
            guard timeout.isFinite, timeout > 0 else { throw ValidationError("--timeout must be greater than 0") }
        }
    }

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let request = Components.Schemas.LaunchRequest(
                name: name, image: image, cpu: cpu, memoryMb: memoryMb, gpus: gpus)
            let launched: Components.Schemas.Instance
            switch try await api.client.launchInstance(body: .json(request)) {
            case .accepted(let accepted): launched = try accepted.body.json
            default: throw CLIError.unexpectedResponse(Operations.LaunchInstance.id)
            }
            guard wait else {
                try api.emit(launched) {
                    "Launched \(launched.name) (\(Format.shortID(launched.id))) on \(Format.orDash(launched.node)); "
                        + "it is \(launched.state.rawValue)\n"
                }
                return
            }
            if !api.json {
                Console.error(
                    "Launched \(launched.name) (\(Format.shortID(launched.id))) on \(Format.orDash(launched.node)); "
                        + "waiting for it to run...")
            }
            let waiter = InstanceWaiter(api: api, timeout: .seconds(timeout ?? 300))
            let running = try await waiter.waitUntilRunning(launched)
            try api.emit(running) {
                "\(running.name) is running" + (running.endpoint.map { " at \($0)" } ?? "") + "\n"
            }
        }
    }
}

/// Polls an instance until the reconciler has it running, or it can no longer get there.
struct InstanceWaiter {
    var api: GantryAPIClient
    var timeout: Duration
    /// Frequent enough that `--wait` returns promptly, rare enough not to load the server.
    var interval: Duration = .milliseconds(500)

    /// Whether waiting should go on, stop with success, or stop with an error.
    enum Verdict: Equatable {
        case keepWaiting
        case running
        case deadEnd
    }

    /// Pending is the only state on the way to running; anything else besides running means someone or
    /// something stopped, terminated or failed it, and waiting longer will not help.
    static func verdict(for state: Components.Schemas.InstanceState) -> Verdict {
        switch state {
        case .running: .running
        case .pending: .keepWaiting
        case .failed, .stopping, .stopped, .terminating, .terminated: .deadEnd
        }
    }

    func waitUntilRunning(_ start: Components.Schemas.Instance) async throws -> Components.Schemas.Instance {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var instance = start
        while true {
            switch Self.verdict(for: instance.state) {
            case .running:
                return instance
            case .deadEnd:
                throw CLIError.instanceFailed(
                    name: instance.name, state: instance.state.rawValue, reason: instance.stateReason)
            case .keepWaiting:
                guard clock.now < deadline else {
                    let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                    throw CLIError.timedOut(
                        "timed out after \(Format.decimal(seconds))s waiting for \(instance.name) to run "
                            + "(it is still \(instance.state.rawValue))")
                }
                try await Task.sleep(for: interval)
                instance = try await api.instance(id: instance.id)
            }
        }
    }
}
