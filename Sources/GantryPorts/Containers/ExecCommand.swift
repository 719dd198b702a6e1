import Foundation
import GantryCore
import NIOCore

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
