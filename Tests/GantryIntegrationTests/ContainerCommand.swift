import DockerEngine
import Foundation
import GantryPorts
import GantryServices
import NIOCore

/// Runs `argv` in a container through the engine's exec API and returns stdout, stderr and the
/// exit status: how tests look inside session containers without the gateway.
func runInContainer(
    _ containerID: String, _ argv: [String], user: String? = nil
) async throws -> (stdout: String, stderr: String, status: Int32?) {
    try await withDocker { docker in
        var command = ExecCommand(containerID: containerID, argv: argv)
        command.user = user
        let session = try await docker.exec(command)
        try await session.finishInput()
        var stdout = ""
        var stderr = ""
        while let chunk = try await session.nextOutput() {
            switch chunk {
            case .stdout(let bytes): stdout += String(buffer: bytes)
            case .stderr(let bytes): stderr += String(buffer: bytes)
            }
        }
        let status = try await session.exitStatus()
        await session.close()
        return (stdout, stderr, status)
    }
}
