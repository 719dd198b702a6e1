import GantryPorts
import GantryServices

/// What the session logic sends back on a session channel.
enum SessionChannelOutbound: Sendable {
    /// Program output: stdout as channel data, stderr as extended data.
    case output(ExecOutputChunk)
    /// The answer to the oldest request that wanted one.
    case reply(success: Bool)
    /// Once every earlier output chunk is on the wire: exit-status, EOF and close.
    case exit(status: Int)
}
