import GantryCore
import NIOCore

/// A terminal's size in character cells.
public struct TerminalSize: Sendable, Equatable {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }
}

/// A process to run inside a running container, attached to the caller (`docker exec -i [-t]`).
public struct ExecCommand: Sendable, Equatable {
    public var containerID: String
    public var argv: [String]
    /// With a TTY, stdout and stderr arrive merged as the terminal's output.
    public var tty: Bool
    /// `KEY=value` entries added to the container's environment.
    public var environment: [String]
    public var workingDirectory: String?
    /// The size to give the TTY before the process starts.
    public var initialSize: TerminalSize?
    /// `uid[:gid]` or a name to run as; the container's user when nil.
    public var user: String?

    public init(
        containerID: String, argv: [String], tty: Bool = false, environment: [String] = [],
        workingDirectory: String? = nil, initialSize: TerminalSize? = nil, user: String? = nil
    ) {
        self.user = user
        self.containerID = containerID
        self.argv = argv
        self.tty = tty
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.initialSize = initialSize
    }
}

/// One piece of what an exec'd process wrote.
public enum ExecOutputChunk: Sendable, Equatable {
    case stdout(ByteBuffer)
    case stderr(ByteBuffer)
}

/// A running exec'd process and its streams.
///
/// `nextOutput()` is pull-based so a slow reader slows the process down rather than buffering
/// without bound; call it from one task at a time. `send` returns once the bytes are handed to
/// the connection, which is how input applies backpressure.
public protocol ContainerExecSession: Sendable {
    /// The next chunk of output, or `nil` once the process has closed its output.
    func nextOutput() async throws -> ExecOutputChunk?
    func send(_ bytes: ByteBuffer) async throws
    /// Closes the process's stdin (end of input) while its output keeps flowing.
    func finishInput() async throws
    func resize(_ size: TerminalSize) async throws
    /// The exit status, once output has ended; `nil` if the engine cannot say.
    func exitStatus() async throws -> Int32?
    /// Drops the connection; the process sees its stdin and terminal close.
    func close() async
}

/// Engines that can run attached processes in their containers.
public protocol ContainerExecutor: Sendable {
    func exec(_ command: ExecCommand) async throws(ContainerRuntimeError) -> any ContainerExecSession
}
