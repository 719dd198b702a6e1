import Foundation
import GantryCore
import GantryPorts

/// Translations between Gantry's runtime types and the engine's bodies, kept free of I/O so they can be
/// tested without an engine.
extension DockerEngineClient {
    static func createBody(for spec: ContainerSpec) -> CreateContainerBody {
        let port = "\(spec.containerPort)/tcp"
        let publishes = spec.hostPort > 0
        // `docker run -i`: stdin stays open for one attach and closes when that client closes it.
        let stdin: Bool? = spec.opensStdin ? true : nil
        return CreateContainerBody(
            image: spec.image,
            cmd: spec.command,
            env: spec.environment,
            labels: spec.labels,
            exposedPorts: publishes ? [port: EmptyObject()] : [:],
            hostConfig: CreateContainerBody.HostConfig(
                nanoCpus: Int64((spec.cpu * 1e9).rounded()),
                memory: Int64(spec.memoryMB) * 1024 * 1024,
                pidsLimit: Int64(spec.pidsLimit),
                capDrop: ["ALL"],
                capAdd: spec.capabilities,
                securityOpt: ["no-new-privileges:true"],
                portBindings: publishes
                    ? [
                        port: [
                            CreateContainerBody.PortBinding(hostIP: spec.hostBindIP, hostPort: String(spec.hostPort))
                        ]
                    ]
                    : [:],
                // Gantry's reconciler decides about restarts; the engine must not race it.
                restartPolicy: CreateContainerBody.RestartPolicy(name: "no"),
                binds: spec.mounts.isEmpty
                    ? nil : spec.mounts.map { "\($0.source):\($0.target)\($0.readOnly ? ":ro" : "")" },
                networkMode: spec.network,
                deviceRequests: deviceRequests(for: spec),
                initProcess: spec.runsInit ? true : nil,
                readonlyRootfs: spec.readOnlyRootFilesystem ? true : nil,
                tmpfs: spec.tmpfs.isEmpty ? nil : spec.tmpfs
            ),
            user: spec.user,
            workingDir: spec.workingDirectory,
            hostname: spec.hostname,
            // Left out unless asked for, so that other bodies stay as they were.
            openStdin: stdin,
            stdinOnce: stdin,
            attachStdin: stdin,
            attachStdout: stdin,
            attachStderr: stdin
        )
    }

    /// `--gpus device=UUID,…` for named devices, else `--gpus N` for a count; none without GPUs.
    static func deviceRequests(for spec: ContainerSpec) -> [CreateContainerBody.DeviceRequest]? {
        if !spec.gpuDeviceIDs.isEmpty {
            return [.init(driver: "nvidia", deviceIDs: spec.gpuDeviceIDs, capabilities: [["gpu"]])]
        }
        if spec.gpuCount > 0 {
            return [.init(driver: "nvidia", count: spec.gpuCount, capabilities: [["gpu"]])]
        }
        return nil
    }

    static func observation(from body: ContainerInspectBody) -> ContainerObservation {
        let status = status(from: body.state.status)
        let error = body.state.error.flatMap { $0.isEmpty ? nil : $0 }
        return ContainerObservation(
            id: body.id,
            name: body.name.hasPrefix("/") ? String(body.name.dropFirst()) : body.name,
            labels: body.config?.labels ?? [:],
            status: status,
            // The engine reports 0 for containers that have not exited; that is no exit code.
            exitCode: status == .exited || status == .dead ? body.state.exitCode : nil,
            error: error,
            oomKilled: body.state.oomKilled ?? false
        )
    }

    static func observation(from body: ContainerSummaryBody) -> ContainerObservation {
        let status = status(from: body.state ?? "")
        let name = body.names?.first.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 } ?? ""
        return ContainerObservation(
            id: body.id,
            name: name,
            labels: body.labels ?? [:],
            status: status,
            exitCode: status == .exited ? body.status.flatMap(exitCode(fromStatusText:)) : nil,
            createdAt: body.created.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        )
    }

    /// A state the engine may add later reads as `dead`, so the services treat it as not running.
    static func status(from text: String) -> ContainerObservation.Status {
        ContainerObservation.Status(rawValue: text.lowercased()) ?? .dead
    }

    /// `Exited (137) 5 seconds ago` → 137.
    static func exitCode(fromStatusText text: String) -> Int? {
        guard text.hasPrefix("Exited ("), let close = text.firstIndex(of: ")") else { return nil }
        return Int(text[text.index(text.startIndex, offsetBy: "Exited (".count)..<close])
    }

    /// Whether a failed start failed because its host port is taken, by docker-proxy or anything else.
    static func isPortConflict(_ message: String) -> Bool {
        let lowered = message.lowercased()
        return lowered.contains("port is already allocated") || lowered.contains("address already in use")
    }

    static func pullFailure(in line: String) -> String? {
        guard let data = line.data(using: .utf8),
            let progress = try? JSONDecoder().decode(PullProgressLine.self, from: data)
        else { return nil }
        return progress.failure
    }
}
