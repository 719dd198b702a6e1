/// How Gantry reads what a plugin wrote (seed 003's contract): the last JSON document on stdout
/// is the result; `{"progress": x}` lines on stderr report progress; the rest of stderr explains
/// a failure.
public enum PluginOutput {
    /// The last JSON document in `stdout`: the whole output when it is one document, else the
    /// last line that is one, else the last block of lines (pretty-printed JSON) that is one.
    /// `nil` when stdout holds no JSON document at all.
    public static func result(fromStdout stdout: String) -> JSONValue? {
        let trimmed = stdout.trimmingWhitespace()
        guard !trimmed.isEmpty else { return nil }
        if let whole = try? JSONValue(parsing: String(trimmed)) { return whole }
        let lines = trimmed.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingWhitespace() }
        for line in lines.reversed() where line.first == "{" || line.first == "[" || line.first == "\"" {
            if let value = try? JSONValue(parsing: String(line)) { return value }
        }
        // A pretty-printed document spans lines: try each opening line with everything after it,
        // dropping trailing lines that are not part of it.
        guard let last = lines.lastIndex(where: { $0.last == "}" || $0.last == "]" }) else { return nil }
        for start in stride(from: last, through: 0, by: -1) where lines[start].first == "{" || lines[start].first == "["
        {
            let block = lines[start...last].joined(separator: "\n")
            if let value = try? JSONValue(parsing: block) { return value }
        }
        return nil
    }

    /// The progress a stderr line reports (`{"progress": 0.4}`, optionally with other members),
    /// clamped to 0…1; values above 1 up to 100 are read as percentages. `nil` for other lines.
    public static func progress(inStderrLine line: Substring) -> Double? {
        let text = line.trimmingWhitespace()
        guard text.first == "{", text.contains("progress"),
            let value = try? JSONValue(parsing: String(text)),
            let reported = value["progress"]?.doubleValue, reported.isFinite
        else { return nil }
        let fraction = reported > 1 && reported <= 100 ? reported / 100 : reported
        return min(max(fraction, 0), 1)
    }
}

/// The end of a plugin's stderr without its progress lines: what becomes `error_message`.
public struct StderrTail: Sendable, Equatable {
    public let maxLines: Int
    public let maxCharacters: Int
    private var lines: [String] = []

    public init(maxLines: Int = 20, maxCharacters: Int = 4000) {
        self.maxLines = maxLines
        self.maxCharacters = maxCharacters
    }

    public mutating func append(_ line: Substring) {
        let text = line.trimmingWhitespace()
        guard !text.isEmpty else { return }
        lines.append(String(text.suffix(maxCharacters)))
        if lines.count > maxLines { lines.removeFirst(lines.count - maxLines) }
    }

    public var text: String {
        let joined = lines.joined(separator: "\n")
        return joined.count > maxCharacters ? String(joined.suffix(maxCharacters)) : joined
    }
}

/// Splits a byte stream into lines as it arrives; a line longer than `maxLineBytes` is cut into
/// pieces so one endless line cannot grow memory without bound.
public struct LineSplitter: Sendable {
    public let maxLineBytes: Int
    private var pending: [UInt8] = []

    public init(maxLineBytes: Int = 64 * 1024) {
        self.maxLineBytes = maxLineBytes
    }

    /// The complete lines in what has arrived so far, without their newlines.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Substring] {
        var lines: [Substring] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(Substring(decoding: pending, as: UTF8.self))
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count >= maxLineBytes {
                    lines.append(Substring(decoding: pending, as: UTF8.self))
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        return lines
    }

    /// The last line if the stream did not end with a newline.
    public mutating func finish() -> Substring? {
        defer { pending.removeAll() }
        return pending.isEmpty ? nil : Substring(decoding: pending, as: UTF8.self)
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> Substring {
        let view = Substring(self)
        guard let first = view.firstIndex(where: { !$0.isWhitespace }),
            let last = view.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return view[first...last]
    }
}
