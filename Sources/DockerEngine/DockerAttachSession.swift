import GantryCore
import GantryPorts
import NIOCore

/// A container run attached, as `docker run -i` runs it: its stdin, stdout and stderr on the hijacked
/// connection of `POST /containers/{id}/attach`, its exit status from the engine's inspect.
final class DockerAttachSession: DockerStreamSession {
    let containerID: String
    let stream: DockerHijackedStream
    private let client: DockerEngineClient

    /// How long after its output has ended the container is asked for its state every `exitingPoll`: it
    /// is exiting, and the engine records the exit a moment after the stream ends.
    static let exitingWait = Duration.seconds(10)
    static let exitingPoll = Duration.milliseconds(50)
    /// The longest pause between two questions while the container runs on.
    static let runningPoll = Duration.seconds(1)

    private init(containerID: String, client: DockerEngineClient, connection: DockerExecConnection) {
        self.containerID = containerID
        self.client = client
        self.stream = DockerHijackedStream(
            connection: connection, subject: "container \(containerID)", host: client.host)
    }

    /// The session of a connection the engine has just attached to the container.
    static func attached(
        containerID: String, client: DockerEngineClient, connection: DockerExecConnection
    ) async -> DockerAttachSession {
        let session = DockerAttachSession(containerID: containerID, client: client, connection: connection)
        let channel = connection.channel
        let output = connection.output
        // On the event loop, where the output ends: either it has ended already or the handler sees it end.
        // A channel that is gone already needs no handler.
        try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(DockerAttachEndHandler())
            if output.isFinished { channel.close(promise: nil) }
        }.get()
        return session
    }

    /// Without a TTY there is no terminal to size.
    func resize(_ size: TerminalSize) async throws {}

    /// Waits until the engine reports the container exited (or dead) and returns its exit code; `nil`
    /// when the container is gone. Asked often while the container is exiting (its output has ended),
    /// less and less often while it still runs; cancelling the task ends the wait.
    func exitStatus() async throws -> Int32? {
        var exitingSince: ContinuousClock.Instant?
        var pause = Self.exitingPoll
        while true {
            guard let container = try await client.inspectContainer(id: containerID) else { return nil }
            switch container.status {
            case .exited, .dead:
                return container.exitCode.map { Int32(truncatingIfNeeded: $0) }
            case .created, .running, .paused, .restarting, .removing:
                break
            }
            let now = ContinuousClock.now
            if exitingSince == nil, stream.output.isFinished { exitingSince = now }
            if let exitingSince, now - exitingSince < Self.exitingWait {
                pause = Self.exitingPoll
            } else {
                pause = min(pause * 2, Self.runningPoll)
            }
            try await Task.sleep(for: pause)
        }
    }
}

/// Last in an attach connection's pipeline. Once the engine has ended the stream the attach is over: the
/// engine half-closes the connection and never reads from it again, so a write waiting for room would
/// wait forever. Closing the connection then fails such writes, and any later ones, at once.
final class DockerAttachEndHandler: ChannelInboundHandler {
    typealias InboundIn = ExecOutputChunk

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}
