import Foundation
import GantryCore

/// Fixed ids, times and records shared by the workload, state machine and planner tests: no
/// test depends on `Date()` or a random id.
enum WorkloadFixtures {
    /// `3F2504E0-4F89-11D3-9A0C-0305E82C3301`.
    static let instanceID = UUID(
        uuid: (0x3F, 0x25, 0x04, 0xE0, 0x4F, 0x89, 0x11, 0xD3, 0x9A, 0x0C, 0x03, 0x05, 0xE8, 0x2C, 0x33, 0x01))
    /// `A1B2C3D4-0000-4000-8000-000000000002`.
    static let sessionID = UUID(
        uuid: (0xA1, 0xB2, 0xC3, 0xD4, 0x00, 0x00, 0x40, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02))
    /// `0BADF00D-0000-4000-8000-000000000003`.
    static let jobID = UUID(
        uuid: (0x0B, 0xAD, 0xF0, 0x0D, 0x00, 0x00, 0x40, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03))
    /// `00000000-0000-4000-8000-0000000000AA`.
    static let ownerID = UUID(
        uuid: (0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xAA))

    /// A workload id whose upper-case string sorts by `n`.
    static func id(_ n: UInt8) -> UUID {
        UUID(uuid: (n, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, n))
    }

    static let created = Date(timeIntervalSince1970: 1_700_000_000)
    static let later = Date(timeIntervalSince1970: 1_700_000_600)

    static let nginx = CatalogImage(
        name: "nginx", displayName: "Nginx", reference: "nginx:1.25", port: 80, description: "Nginx web server",
        capabilities: ["CHOWN", "SETUID", "SETGID", "NET_BIND_SERVICE"], createdAt: created)

    static let python = CatalogImage(
        name: "python-3.11", displayName: "Python 3.11", reference: "python:3.11-slim", port: 8080,
        description: "Python", command: ["python", "-m", "http.server", "8080"], createdAt: created)

    static func instance(
        id: UUID = instanceID, state: InstanceState = .running, desired: DesiredState = .running,
        node: String = "local", containerID: String? = "c-instance", hostPort: Int? = 8001
    ) -> Instance {
        Instance(
            id: id, name: "web", ownerID: ownerID, image: nginx.name, imageReference: nginx.reference,
            containerPort: nginx.port, cpu: 1.5, memoryMB: 256, gpus: 0, state: state, desiredState: desired,
            stateReason: "running", node: node, hostIP: "10.0.0.5", hostPort: hostPort, containerID: containerID,
            createdAt: created, updatedAt: created, stateChangedAt: created,
            template: .forInstance(id: id, name: "web", image: nginx, pidsLimit: 512, hostBindIP: "127.0.0.1"))
    }

    static let migDevice = "MIG-6f5e4d3c-2b1a-4a9b-8c7d-6e5f4a3b2c1d"

    static func session(
        id: UUID = sessionID, state: SessionState = .running, gpu: GPUAssignment? = nil,
        gpuAttach: GPUAttachMode = .deviceRequest, node: String = "local", containerID: String? = "c-session",
        expiresAt: Date = Date(timeIntervalSince1970: 1_700_003_600), endedAt: Date? = nil
    ) -> GPUSession {
        GPUSession(
            id: id, name: "train", ownerID: ownerID, node: node, image: "ubuntu", imageReference: "ubuntu:22.04",
            cpu: 2, memoryMB: 4096, requestedProfile: gpu == nil ? "none" : "1g.10gb", gpu: gpu, state: state,
            containerID: containerID, workspacePath: "/srv/gantry/workspaces/alice", posixUID: 20001,
            createdAt: created, updatedAt: later, expiresAt: expiresAt, endedAt: endedAt,
            template: .forSession(
                id: id, name: "train", ownerUsername: "alice", imageReference: "ubuntu:22.04",
                workspacePath: "/srv/gantry/workspaces/alice", posixUID: 20001, network: "gantry-sessions",
                gpuAttach: gpuAttach, pidsLimit: 512))
    }

    static let migAssignment = GPUAssignment(
        kind: .mig, deviceUUID: migDevice, gpuIndex: 0, gpuModel: "NVIDIA A100", profile: "1g.10gb")

    static func plugin(inputMode: Plugin.InputMode = .stdin, network: Bool = false, gpus: Int = 0) -> Plugin {
        Plugin(
            name: "word-count", version: "1.0.0", description: "Counts words", imageReference: "example/wc:1",
            inputSchema: nil, outputSchema: nil, resources: Plugin.Resources(cpu: 0.5, memoryMB: 128, gpus: gpus),
            timeoutSeconds: 60, inputMode: inputMode, network: network, createdAt: created, updatedAt: created)
    }

    static func job(
        id: UUID = jobID, status: JobStatus = .processing, attempts: Int = 2, updatedAt: Date = later
    ) -> Job {
        Job(
            id: id, pluginName: "word-count", pluginVersion: "1.0.0", status: status,
            input: .object(["text": .string("a b c")]), ownerID: ownerID, createdAt: created, updatedAt: updatedAt,
            attempts: attempts, maxAttempts: 4)
    }
}
