import AsyncHTTPClient
import GantryPorts
import Logging
import NIOCore

extension DockerEngineClient: ContainerAttacher {
    /// `docker run -i` without a TTY: attaches to the created container's stdin, stdout and stderr on a
    /// connection of its own that the engine takes over for the streams, then starts the container, so
    /// that none of its output comes before the attach.
    public func attachAndStart(containerID: String) async throws(ContainerRuntimeError) -> any ContainerExecSession {
        try await attachAndStart(containerID: containerID) { _ in }
    }

    /// `attached` is shown the connection once the engine has attached it, before the start (tests watch
    /// it close when the start fails).
    func attachAndStart(
        containerID: String, attached: (any Channel) -> Void
    ) async throws(ContainerRuntimeError) -> DockerAttachSession {
        let version = try await apiVersion()
        let query = [("stream", "1"), ("stdin", "1"), ("stdout", "1"), ("stderr", "1")]
        let path = "/v\(version)/containers/\(Self.pathSegment(containerID))/attach" + Self.queryString(query)
        let connection: DockerExecConnection
        do {
            // The attach has no body; the engine ignores the JSON content type that comes with it.
            connection = try await DockerExecConnection.open(
                host: host, group: httpClient.eventLoopGroup, path: path, body: ByteBuffer(), multiplexed: true,
                timeout: timeouts.request
            )
        } catch .engine(status: 404, _) {
            throw .notFound("container \(containerID)")
        }
        attached(connection.channel)
        let session = await DockerAttachSession.attached(containerID: containerID, client: self, connection: connection)
        do {
            try await startContainer(id: containerID)
        } catch {
            await session.close()
            throw error
        }
        logger.debug("container started attached", metadata: ["container": "\(containerID)"])
        return session
    }
}
