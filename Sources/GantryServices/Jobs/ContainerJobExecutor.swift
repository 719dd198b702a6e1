import Foundation
import GantryCore
import GantryPorts
import Logging
import NIOCore

/// Runs a job attempt as a hardened container on the engine (seed 003's plugin contract): the
/// input on stdin or as argv[1], stdout collected, stderr scanned for progress and kept as the
/// error's tail, the timeout enforced, and the container removed afterwards.
public struct ContainerJobExecutor: JobExecutor {
    let runtimes: any ContainerRuntimeDirectory
    let settings: JobSettings
    let logger: Logger

    /// How long a stopped container gets between SIGTERM and SIGKILL.
    static let stopGraceSeconds = 2

    public init(runtimes: any ContainerRuntimeDirectory, settings: JobSettings, logger: Logger) {
        self.runtimes = runtimes
        self.settings = settings
        self.logger = logger
    }

    public func run(
        _ job: Job, attempt: Int, plugin: Plugin, control: JobRunControl, progress: @escaping @Sendable (Double) -> Void
    ) async throws(JobFailure) -> JobRunOutput {
        guard let runtime = runtimes.runtime(forNode: settings.node) else {
            throw JobFailure(.containerError, "no container engine for node \(settings.node)")
        }
        guard let attacher = runtime.capabilities.attach else {
            throw JobFailure(.containerError, "the engine of node \(settings.node) cannot attach to containers")
        }
        do {
            if try await !runtime.imageExists(plugin.imageReference) {
                try await runtime.pullImage(plugin.imageReference)
            }
        } catch {
            throw JobFailure(.containerError, "image \(plugin.imageReference) is not available: \(error)")
        }
        let spec = containerSpec(job, attempt: attempt, plugin: plugin)
        let containerID: String
        do {
            containerID = try await runtime.createContainer(spec)
        } catch {
            throw JobFailure(.containerError, "creating the container failed: \(error)")
        }
        do {
            return try await attachAndCollect(
                containerID: containerID, job: job, plugin: plugin, runtime: runtime, attacher: attacher,
                control: control, progress: progress)
        } catch {
            await remove(containerID, runtime: runtime)
            throw error
        }
    }

    func containerSpec(_ job: Job, attempt: Int, plugin: Plugin) -> ContainerSpec {
        let template = ContainerTemplate.forJobAttempt(
            job: job, attempt: attempt, plugin: plugin, containerUser: settings.containerUser,
            pidsLimit: settings.pidsLimit, tmpfsSizeMB: settings.tmpfsSizeMB,
            nameSuffix: String(UUID().uuidString.prefix(4).lowercased()))
        let resources = WorkloadResources(
            cpu: plugin.resources.cpu, memoryMB: plugin.resources.memoryMB, gpus: plugin.resources.gpus)
        let workload = Workload.jobAttempt(
            job: job, attempt: attempt, node: settings.node, resources: resources, template: template)
        return ContainerSpecBuilder.spec(for: workload, installationID: settings.installation)
    }

    private enum Ending: Sendable {
        case finished(JobRunOutput)
        case timedOut
    }

    private func attachAndCollect(
        containerID: String, job: Job, plugin: Plugin, runtime: any ContainerRuntime, attacher: any ContainerAttacher,
        control: JobRunControl, progress: @escaping @Sendable (Double) -> Void
    ) async throws(JobFailure) -> JobRunOutput {
        let session: any ContainerExecSession
        do {
            session = try await attacher.attachAndStart(containerID: containerID)
        } catch {
            throw JobFailure(.containerError, "starting the container failed: \(error)")
        }
        // Cleanup runs in tasks of its own: a cancelled attempt (the server stopping) must still
        // stop and remove its container.
        let stopContainer: @Sendable () async -> Void = {
            await Task { try? await runtime.stopContainer(id: containerID, timeoutSeconds: Self.stopGraceSeconds) }
                .value
        }
        await control.onStop(stopContainer)
        let timeout = Duration.seconds(plugin.timeoutSeconds)
        let maxOutput = settings.maxOutputBytes
        let input = plugin.inputMode == .stdin ? job.input.serialized() : nil
        let ending: Ending
        do {
            ending = try await withThrowingTaskGroup(of: Ending?.self) { group in
                group.addTask {
                    try await Self.collect(
                        session: session, input: input, maxOutputBytes: maxOutput, progress: progress)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return .timedOut
                }
                var result: Ending = .timedOut
                if let first = try await group.next(), let first { result = first }
                group.cancelAll()
                return result
            }
        } catch let failure as JobFailure {
            await stopContainer()
            await session.close()
            throw failure
        } catch {
            await stopContainer()
            await session.close()
            throw JobFailure(.containerError, "reading the container's output failed: \(error)")
        }
        await session.close()
        switch ending {
        case .timedOut:
            await stopContainer()
            await remove(containerID, runtime: runtime)
            throw JobFailure(.timeout, "the attempt ran longer than the plugin's timeout of \(plugin.timeoutSeconds) s")
        case .finished(var output):
            if let observed = try? await runtime.inspectContainer(id: containerID) {
                output.outOfMemory = observed.oomKilled
                if output.exitCode == nil { output.exitCode = observed.exitCode }
            }
            // The engine records an OOM kill from the cgroup's event, which can trail the exit on
            // a busy host: a SIGKILL exit (137) is looked at again before it counts as plain.
            var looks = 0
            while output.exitCode == 137, !output.outOfMemory, looks < 5 {
                looks += 1
                try? await Task.sleep(for: .milliseconds(100))
                output.outOfMemory = (try? await runtime.inspectContainer(id: containerID))?.oomKilled ?? false
            }
            await remove(containerID, runtime: runtime)
            return output
        }
    }

    /// Writes the input, then reads both streams to their end.
    private static func collect(
        session: any ContainerExecSession, input: Data?, maxOutputBytes: Int,
        progress: @escaping @Sendable (Double) -> Void
    ) async throws -> Ending {
        async let written: Void = {
            if let input, !input.isEmpty {
                // A plugin may exit without reading its input; that is its business, not an error.
                try? await session.send(ByteBuffer(bytes: input))
            }
            try? await session.finishInput()
        }()
        var stdout: [UInt8] = []
        var stderrLines = LineSplitter()
        var tail = StderrTail()
        func scan(_ lines: [Substring]) {
            for line in lines {
                if let value = PluginOutput.progress(inStderrLine: line) {
                    progress(value)
                } else {
                    tail.append(line)
                }
            }
        }
        while let chunk = try await session.nextOutput() {
            switch chunk {
            case .stdout(let buffer):
                stdout.append(contentsOf: buffer.readableBytesView)
                if stdout.count > maxOutputBytes {
                    await session.close()
                    throw JobFailure(.invalidOutput, "the plugin wrote more than \(maxOutputBytes) bytes to stdout")
                }
            case .stderr(let buffer):
                scan(stderrLines.feed(buffer.readableBytesView))
            }
        }
        if let last = stderrLines.finish() { scan([last]) }
        await written
        let status = try await session.exitStatus()
        return .finished(
            JobRunOutput(
                exitCode: status.map(Int.init), stdout: String(decoding: stdout, as: UTF8.self), stderrTail: tail.text))
    }

    private func remove(_ containerID: String, runtime: any ContainerRuntime) async {
        do {
            try await Task { try await runtime.removeContainer(id: containerID) }.value
        } catch {
            // The housekeeping pass removes job containers whose job is not running.
            logger.warning(
                "could not remove a job container", metadata: ["container": "\(containerID)", "error": "\(error)"])
        }
    }
}
