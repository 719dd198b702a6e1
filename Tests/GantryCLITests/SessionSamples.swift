import Foundation
import GantryOpenAPI

/// Sessions and GPUs as the server would send them, for rendering and resolution tests.
enum SessionSamples {
    static let created = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z

    static func session(
        id: String = "1a2b3c4d-0000-4000-8000-000000000001",
        name: String = "train",
        user: String = "alice",
        status: Components.Schemas.SessionStatus = .running,
        statusReason: String? = nil,
        migProfile: String = "3g.20gb",
        allocation: Components.Schemas.Session.GpuAllocationPayload = .mig,
        gpuProfile: String? = "3g.20gb",
        gpuUUID: String? = "MIG-5c2d7a9e-1111-5222-8333-444444444444",
        expiresAfter minutes: Double = 60
    ) -> Components.Schemas.Session {
        .init(
            sessionId: id, containerId: "0123456789abcdef0123", sshUser: user, sshHost: "gpu.example.org",
            sshPort: 2222, gpuUuid: gpuUUID, createdAt: created, expiresAt: created.addingTimeInterval(minutes * 60),
            status: status, statusReason: statusReason, name: name, ownerId: "11111111-0000-4000-8000-000000000001",
            migProfile: migProfile, gpuAllocation: allocation, gpuProfile: gpuProfile, gpuIndex: 0,
            gpuModel: "NVIDIA A100-SXM4-80GB", node: "node-1", image: "pytorch", cpu: 4, memoryMb: 16384,
            sshCommand: "ssh -p 2222 \(user)+\(name)@gpu.example.org", workspace: "/srv/gantry/workspaces/\(user)")
    }
}
