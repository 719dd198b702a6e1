import Foundation
import GantryPorts
import NIOCore

/// Splits an attached stream of the engine into stdout and stderr pieces.
///
/// Without a TTY the engine multiplexes the streams in frames, each behind the 8-byte header that
/// `DockerLogDemultiplexer` describes. A frame's payload is handed on as soon as any of it arrives, as
/// slices of the received buffers (no copy), so a frame split across reads becomes several chunks and
/// a large frame is never held back whole. With a TTY the stream is raw terminal output.
struct DockerStreamFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ExecOutputChunk

    /// Stream types of the header's first byte (moby's `stdcopy`).
    private enum StreamType: UInt8 {
        case stdin = 0
        case stdout = 1
        case stderr = 2
        /// An error of the engine itself, carried in the stream; its payload is the message.
        case system = 3
    }

    private static let maxSystemMessageBytes = 64 * 1024

    private let multiplexed: Bool
    private var stream = StreamType.stdout
    /// Payload bytes of the current frame still to come; 0 between frames.
    private var remaining = 0

    init(multiplexed: Bool) {
        self.multiplexed = multiplexed
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard multiplexed else {
            guard buffer.readableBytes > 0, let bytes = buffer.readSlice(length: buffer.readableBytes) else {
                return .needMoreData
            }
            context.fireChannelRead(wrapInboundOut(.stdout(bytes)))
            return .needMoreData
        }
        if remaining == 0 {
            return try readHeader(from: &buffer) ? .continue : .needMoreData
        }
        if stream == .system {
            // Reported whole, as the error of the stream; an engine's message is short.
            guard remaining <= Self.maxSystemMessageBytes else {
                throw DockerStreamFrameError.engine("(an error message of \(remaining) bytes)")
            }
            guard let message = buffer.readString(length: remaining) else { return .needMoreData }
            throw DockerStreamFrameError.engine(message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let count = min(remaining, buffer.readableBytes)
        guard count > 0, let payload = buffer.readSlice(length: count) else { return .needMoreData }
        remaining -= count
        context.fireChannelRead(wrapInboundOut(stream == .stderr ? .stderr(payload) : .stdout(payload)))
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A stream that ends inside a frame or header (the process was killed, the engine went away) has
        // already delivered every byte it carried; what is missing was never sent, so it simply ends here.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }

    /// Reads one header if it has arrived in full; throws on bytes that cannot be a header.
    private mutating func readHeader(from buffer: inout ByteBuffer) throws -> Bool {
        let header = buffer.getMultipleIntegers(
            at: buffer.readerIndex, as: (UInt8, UInt8, UInt16, UInt32).self)
        guard let (type, padding, morePadding, size) = header else { return false }
        guard let streamType = StreamType(rawValue: type), padding == 0, morePadding == 0 else {
            let bytes = buffer.readableBytesView.prefix(DockerLogDemultiplexer.headerSize)
            throw DockerStreamFrameError.invalidHeader(Array(bytes))
        }
        buffer.moveReaderIndex(forwardBy: DockerLogDemultiplexer.headerSize)
        stream = streamType
        remaining = Int(size)
        return true
    }
}

/// A multiplexed stream the decoder cannot read on.
enum DockerStreamFrameError: Error, Equatable, CustomStringConvertible {
    /// Eight bytes where a frame header was due that are not one.
    case invalidHeader([UInt8])
    /// The engine reported an error inside the stream.
    case engine(String)

    var description: String {
        switch self {
        case .invalidHeader(let bytes): "invalid stream frame header \(bytes)"
        case .engine(let message): "engine error in the exec stream: \(message)"
        }
    }
}
