import Foundation
import GantryCore

/// Engines that run a container with its streams attached, as `docker run -i` does.
public protocol ContainerAttacher: Sendable {
    /// Attaches to a created, not yet started container's stdin, stdout and stderr (no TTY; the
    /// container was created with `opensStdin`), then starts it. The session's output ends when the
    /// container's does; `finishInput()` closes its stdin; `exitStatus()` waits for the container to
    /// exit and returns its exit code; `resize` does nothing.
    func attachAndStart(containerID: String) async throws(ContainerRuntimeError) -> any ContainerExecSession
}
