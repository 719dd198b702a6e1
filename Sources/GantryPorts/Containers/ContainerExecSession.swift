import Foundation
import GantryCore
import NIOCore

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
