import GantryPorts
import GantryServices
import NIOCore

/// What a client sends on a session channel, in order, as the session logic sees it.
enum SessionChannelInbound: Sendable {
    /// Bytes for the program's stdin (consecutive SSH data packets coalesced).
    case data(ByteBuffer)
    /// The client will send no more stdin (SSH_MSG_CHANNEL_EOF).
    case endOfInput
    case pseudoTerminal(term: String, size: TerminalSize, wantReply: Bool)
    case environment(name: String, value: String, wantReply: Bool)
    case shell(wantReply: Bool)
    case exec(command: String, wantReply: Bool)
    case subsystem(name: String, wantReply: Bool)
    case windowChange(TerminalSize)
}
