/// Turns a `/containers/{id}/logs` body into text.
///
/// Containers without a TTY get their stdout and stderr multiplexed into frames, each behind an 8-byte
/// header: stream (0 stdin, 1 stdout, 2 stderr), three zero bytes, and the payload size as a big-endian
/// UInt32. Containers with a TTY get the raw bytes. The frames are kept in the order the engine sent them,
/// so stdout and stderr stay interleaved.
enum DockerLogDemultiplexer {
    static let headerSize = 8

    /// Whether `bytes` starts with a frame header; anything else is treated as a raw TTY stream.
    static func isMultiplexed(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= headerSize else { return false }
        return bytes[0] <= 2 && bytes[1] == 0 && bytes[2] == 0 && bytes[3] == 0
    }

    /// The payload bytes of every frame, concatenated; raw bodies come back unchanged.
    static func payload(of bytes: [UInt8]) -> [UInt8] {
        guard isMultiplexed(bytes) else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var offset = 0
        while offset < bytes.count {
            let remaining = bytes.count - offset
            guard remaining >= headerSize, bytes[offset] <= 2 else {
                // A torn or foreign tail: keep its bytes rather than lose log text.
                output.append(contentsOf: bytes[offset...])
                break
            }
            let size =
                Int(bytes[offset + 4]) << 24 | Int(bytes[offset + 5]) << 16
                | Int(bytes[offset + 6]) << 8 | Int(bytes[offset + 7])
            let start = offset + headerSize
            // A body cut short (e.g. by the size limit) still yields the part that arrived.
            let end = min(start + size, bytes.count)
            output.append(contentsOf: bytes[start..<end])
            offset = end
        }
        return output
    }

    /// The log text; invalid UTF-8 is replaced rather than failing the whole answer.
    static func text(from bytes: [UInt8]) -> String {
        String(decoding: payload(of: bytes), as: UTF8.self)
    }
}
