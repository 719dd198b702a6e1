import Foundation
import GantryCore
import GantryPorts
import Logging

/// Reads the host's GPUs by running `nvidia-smi -q -x` and `nvidia-smi -L`.
///
/// - No executable at `executablePath`, or one that says there is no driver or no device: `.empty`.
/// - A run that outlives `timeout` is killed and throws `NvidiaSMIError.timedOut`: a hung
///   nvidia-smi usually means a wedged driver, which should be seen, not read as "no GPUs".
/// - Output that is not a report throws `NvidiaSMIError.malformedXML`.
/// - `-L` only adds MIG UUIDs and profile names; if it fails the report is used without them.
public struct NvidiaSMIInventorySource: GPUInventorySource {
    public static let queryArguments = ["-q", "-x"]
    public static let listArguments = ["-L"]

    public let executablePath: String
    /// Per command; the two commands run one after the other.
    public let timeout: Duration
    private let logger: Logger

    public init(
        executablePath: String = "/usr/bin/nvidia-smi", timeout: Duration = .seconds(15),
        logger: Logger = Logger(label: "gantry.nvidia-smi")
    ) {
        self.executablePath = executablePath
        self.timeout = timeout
        self.logger = logger
    }

    public func readInventory() async throws -> GPUInventory {
        guard FileManager.default.isExecutableFile(atPath: executablePath) else {
            logger.debug("No nvidia-smi executable; reporting no GPUs", metadata: ["path": "\(executablePath)"])
            return .empty
        }
        let query = try await run(Self.queryArguments)
        guard query.status == 0 else {
            let output = query.standardOutput + query.standardError
            if let reason = NvidiaSMIUnavailable.reason(status: query.status, output: output) {
                logger.warning(
                    "nvidia-smi reports no usable GPU; reporting none",
                    metadata: ["status": "\(query.status)", "reason": "\(reason)"])
                return .empty
            }
            throw NvidiaSMIError.commandFailed(
                arguments: Self.queryArguments, status: query.status,
                output: output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let list = try await listing()
        return try NvidiaSMIInventoryParser.parse(xml: query.standardOutput, list: list)
    }

    /// The `-L` output, or nil (with a warning) when it cannot be had.
    private func listing() async throws -> String? {
        do {
            let list = try await run(Self.listArguments)
            guard list.status == 0 else {
                logger.warning(
                    "nvidia-smi -L failed; MIG devices will lack UUIDs",
                    metadata: ["status": "\(list.status)", "output": "\(list.standardOutput + list.standardError)"])
                return nil
            }
            return list.standardOutput
        } catch let error as NvidiaSMIError {
            logger.warning("nvidia-smi -L failed; MIG devices will lack UUIDs", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func run(_ arguments: [String]) async throws -> ProcessOutput {
        do {
            return try await ProcessRunner.run(executablePath: executablePath, arguments: arguments, timeout: timeout)
        } catch ProcessRunError.timedOut {
            throw NvidiaSMIError.timedOut(arguments: arguments, after: timeout)
        } catch ProcessRunError.launchFailed(let reason) {
            throw NvidiaSMIError.launchFailed(path: executablePath, reason: reason)
        }
    }
}
