import AsyncHTTPClient
import GantryPorts
import Logging
import NIOCore
import NIOHTTP1

extension DockerEngineClient: ContainerExecutor {
    /// `docker exec -i [-t]`: creates the exec, then starts it on a connection of its own that the engine
    /// turns into the process's stdin and output.
    public func exec(_ command: ExecCommand) async throws(ContainerRuntimeError) -> any ContainerExecSession {
        let version = try await apiVersion()
        // ConsoleSize on exec create arrived with API 1.42; older engines get a resize right after start.
        let sizeOnCreate = command.tty && version >= DockerAPIVersion(major: 1, minor: 42)
        let create = ExecCreateBody(
            attachStdin: true, attachStdout: true, attachStderr: true, tty: command.tty, cmd: command.argv,
            env: command.environment, workingDir: command.workingDirectory, user: command.user,
            consoleSize: sizeOnCreate ? command.initialSize.map { [$0.rows, $0.columns] } : nil
        )
        let answer = try await send(
            .POST, "/containers/\(Self.pathSegment(command.containerID))/exec", json: try Self.encodeJSON(create)
        )
        let execID: String
        switch answer.status {
        case 201, 200:
            execID = try answer.decode(ExecCreateAnswer.self).id
        case 404:
            throw .notFound("container \(command.containerID)")
        default:
            // 409: the container is not running (or is paused or restarting); the engine says which.
            throw answer.engineError
        }

        let start = try Self.encodeJSON(ExecStartBody(detach: false, tty: command.tty))
        let connection = try await DockerExecConnection.open(
            host: host, group: httpClient.eventLoopGroup, path: "/v\(version)/exec/\(Self.pathSegment(execID))/start",
            body: start, multiplexed: !command.tty, timeout: timeouts.request
        )
        let session = DockerExecSession(execID: execID, tty: command.tty, client: self, connection: connection)
        logger.debug(
            "exec started",
            metadata: ["container": "\(command.containerID)", "exec": "\(execID)", "tty": "\(command.tty)"]
        )
        if command.tty, !sizeOnCreate, let size = command.initialSize {
            do {
                try await session.applySize(size)
            } catch {
                // The process runs either way, in the engine's default 80x24.
                logger.warning(
                    "could not size the exec's terminal", metadata: ["exec": "\(execID)", "error": "\(error)"]
                )
            }
        }
        return session
    }
}

/// `POST /containers/{id}/exec`.
struct ExecCreateBody: Encodable {
    var attachStdin: Bool
    var attachStdout: Bool
    var attachStderr: Bool
    var tty: Bool
    var cmd: [String]
    var env: [String]
    var workingDir: String?
    var user: String?
    /// `[rows, columns]`.
    var consoleSize: [Int]?

    enum CodingKeys: String, CodingKey {
        case attachStdin = "AttachStdin"
        case attachStdout = "AttachStdout"
        case attachStderr = "AttachStderr"
        case tty = "Tty"
        case cmd = "Cmd"
        case env = "Env"
        case workingDir = "WorkingDir"
        case user = "User"
        case consoleSize = "ConsoleSize"
    }
}

struct ExecCreateAnswer: Decodable {
    var id: String

    enum CodingKeys: String, CodingKey {
        case id = "Id"
    }
}

/// `POST /exec/{id}/start`.
struct ExecStartBody: Encodable {
    var detach: Bool
    var tty: Bool

    enum CodingKeys: String, CodingKey {
        case detach = "Detach"
        case tty = "Tty"
    }
}
