import ArgumentParser
import Foundation
import GantryOpenAPI

struct JobSubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a job to a plugin; with --wait, follow it and print its result.",
        discussion: """
            The input must match the plugin's input schema (see `gantry plugins show PLUGIN`); the server \
            checks it before queueing. Without --wait the job's ID is printed. With --wait, progress goes to \
            stderr and, once the job has completed, its result JSON to stdout; a failed job ends with \
            `error: job failed: MESSAGE (CODE)` and exit status 1. With --json the final job is printed instead \
            of the result.

            Examples:
              gantry jobs submit classifier --input input.json --wait
              gantry jobs submit classifier --input-json '{"features": [0.5, 1.2, -0.3]}'
              generate-input | gantry jobs submit classifier --input - --wait --timeout 120 > result.json
            """
    )

    @OptionGroup var options: APIOptions
    @Argument(help: "Plugin name (see `gantry plugins list`).") var plugin: String
    @Option(help: "File holding the input JSON, or - to read it from stdin.") var input: String?
    @Option(name: .customLong("input-json"), help: "The input JSON itself.") var inputJSON: String?
    @Flag(help: "Wait until the job has completed or failed, and print its result.") var wait = false
    @Option(help: "With --wait: give up waiting after this many seconds (default: no limit); the job goes on.")
    var timeout: Double?

    func validate() throws {
        guard !plugin.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("the plugin name must not be empty")
        }
        switch (input, inputJSON) {
        case (nil, nil): throw ValidationError("give the job's input with --input FILE or --input-json JSON")
        case (.some, .some): throw ValidationError("give either --input or --input-json, not both")
        default: break
        }
        if let timeout {
            guard wait else { throw ValidationError("--timeout only applies with --wait") }
            guard timeout.isFinite, timeout > 0 else { throw ValidationError("--timeout must be greater than 0") }
        }
    }

    /// Where the input comes from; `validate` has made sure there is exactly one.
    func inputSource(home: String) -> JSONInputFile.Source {
        if let inputJSON { return .text(inputJSON, label: "--input-json") }
        return JSONInputFile.source(forPath: input ?? "-", home: home)
    }

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            // The input is read and parsed before anything is sent, so a typo fails without a round trip.
            let home = SSHPublicKeyFile.home(environment: ProcessInfo.processInfo.environment)
            let inputData = try JSONInputFile.load(inputSource(home: home))
            let job = try await api.submitJob(.init(pluginName: plugin, inputData: inputData))
            guard wait else {
                try api.emit(job) { JobRendering.submitted(job) }
                return
            }
            let quiet = api.json
            if !quiet { Console.error("Submitted job \(job.id) to \(JobRendering.plugin(job)); waiting for it...") }
            let waiter = JobWaiter(
                api: api, timeout: timeout.map { .seconds($0) },
                report: { line in if !quiet { Console.error(line) } })
            let finished = try await waiter.waitUntilFinished(job)
            if api.json {
                try JSONOutput.print(finished)
            } else if finished.status == .completed {
                Console.out(JobRendering.resultOutput(finished))
            }
            if finished.status == .failed { throw JobRendering.failure(finished) }
        }
    }
}
