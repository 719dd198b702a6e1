import NIOCore

/// Splits the `POST /images/create` progress stream into its JSON lines as chunks arrive, without keeping
/// the lines already read.
struct PullProgressReader {
    private var pending: [UInt8] = []

    mutating func append(_ chunk: ByteBuffer) {
        pending.append(contentsOf: chunk.readableBytesView)
    }

    /// The next complete, non-empty line, if one has arrived.
    mutating func nextLine() -> String? {
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: pending[..<newline], as: UTF8.self)
            pending.removeSubrange(...newline)
            if !line.allSatisfy(\.isWhitespace) { return line }
        }
        return nil
    }

    /// What is left after the stream ended without a final newline.
    mutating func finish() -> String? {
        defer { pending.removeAll() }
        let line = String(decoding: pending, as: UTF8.self)
        return line.allSatisfy(\.isWhitespace) ? nil : line
    }
}
