import Foundation

/// Turns a workload into the engine spec of its container: the one place that decides labels,
/// limits and GPU attachment for every kind. The security baseline that never varies
/// (`CapDrop: ALL`, `no-new-privileges`) is set by the Docker adapter at its own chokepoint, so
/// no spec can leave it out.
public enum ContainerSpecBuilder {
    /// `networkID`, when given, replaces the template's network name: the executor resolves the
    /// name to an id once it has made sure the network exists (a name can be ambiguous).
    public static func spec(for workload: Workload, installationID: String, networkID: String? = nil) -> ContainerSpec {
        let template = workload.template
        var environment = template.environment
        var deviceIDs: [String] = []
        if !workload.gpuDevices.isEmpty {
            switch template.gpuAttach {
            case .env: environment.append("NVIDIA_VISIBLE_DEVICES=\(workload.gpuDevices.joined(separator: ","))")
            case .deviceRequest: deviceIDs = workload.gpuDevices
            }
        }
        let standard = [
            ContainerLabels.kind: workload.kind.rawValue, ContainerLabels.id: workload.id.uuidString,
            ContainerLabels.owner: workload.ownerID.uuidString, ContainerLabels.installation: installationID,
            ContainerLabels.name: workload.name,
        ]
        return ContainerSpec(
            name: template.containerName, image: template.imageReference, command: template.command,
            environment: environment, labels: template.labels.merging(standard) { _, standard in standard },
            cpu: workload.resources.cpu, memoryMB: workload.resources.memoryMB, pidsLimit: template.pidsLimit,
            capabilities: template.capabilities, containerPort: template.containerPort,
            hostBindIP: template.hostBindIP, hostPort: workload.hostPort ?? 0, mounts: template.mounts,
            network: networkID ?? template.network, user: template.user, workingDirectory: template.workingDirectory,
            gpuDeviceIDs: deviceIDs, runsInit: template.runsInit, hostname: template.hostname,
            opensStdin: template.opensStdin, readOnlyRootFilesystem: template.readOnlyRootFilesystem,
            tmpfs: template.tmpfs, gpuCount: template.gpuCount)
    }
}
