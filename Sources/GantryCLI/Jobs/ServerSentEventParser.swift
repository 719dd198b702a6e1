/// One event from a `text/event-stream` body.
struct ServerSentEvent: Equatable, Sendable {
    /// The `event:` field, `message` when the event has none.
    var type: String
    /// The `data:` lines, joined with `\n`.
    var data: String
    /// The last `id:` the stream has set, this event's or an earlier one's, as `Last-Event-ID` would send it.
    var id: String?

    init(type: String = "message", data: String, id: String? = nil) {
        self.type = type
        self.data = data
        self.id = id
    }
}

/// Turns the bytes of a `text/event-stream` body into events, the way the HTML standard's EventSource does:
/// lines end with LF, CR or CRLF; `data:` lines are joined with `\n`; a blank line ends the event; lines
/// starting with `:` are comments; one space after the colon is dropped; unknown fields are ignored. Pure and
/// incremental, so chunks can be fed as they arrive, split anywhere, and tested without a server.
struct ServerSentEventParser: Sendable {
    /// The ID `Last-Event-ID` should carry when reconnecting: the last `id:` seen, even on an event that had no
    /// data and so was never dispatched.
    private(set) var lastEventID: String?
    /// The reconnection delay the server asked for with `retry:`, in milliseconds.
    private(set) var retryMilliseconds: Int?

    private var line: [UInt8] = []
    /// A CR ended the previous line, so an LF right after it belongs to the same line break.
    private var afterCarriageReturn = false
    private var sawFirstLine = false
    private var eventType = ""
    private var data = ""
    private var hasData = false

    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let byteOrderMark = "\u{FEFF}"

    init() {}

    /// The events that `bytes` completes, in order. Bytes after the last line break wait for the next call.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if afterCarriageReturn {
                afterCarriageReturn = false
                if byte == Self.lineFeed { continue }
            }
            switch byte {
            case Self.lineFeed, Self.carriageReturn:
                afterCarriageReturn = byte == Self.carriageReturn
                if let event = processLine() { events.append(event) }
            default:
                line.append(byte)
            }
        }
        return events
    }

    /// Every event in a whole stream; an event the stream leaves unfinished (no blank line after it) is
    /// dropped, as the standard says.
    static func events(in text: String) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        return parser.feed(text.utf8)
    }

    private mutating func processLine() -> ServerSentEvent? {
        var text = String(decoding: line, as: UTF8.self)
        line.removeAll(keepingCapacity: true)
        if !sawFirstLine {
            sawFirstLine = true
            if text.hasPrefix(Self.byteOrderMark) { text.removeFirst() }
        }
        if text.isEmpty { return dispatch() }
        if text.hasPrefix(":") { return nil }

        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "event":
            eventType = String(value)
        case "data":
            if hasData { data += "\n" }
            data += value
            hasData = true
        case "id":
            // An ID with NUL in it is ignored, so a stream cannot smuggle one into a header.
            if !value.contains("\u{0}") { lastEventID = String(value) }
        case "retry":
            if !value.isEmpty, value.allSatisfy(\.isASCIIDigit), let milliseconds = Int(value) {
                retryMilliseconds = milliseconds
            }
        default:
            break
        }
        return nil
    }

    /// A blank line: the event so far, if it has any data, and a clean slate for the next one.
    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            eventType = ""
            data = ""
            hasData = false
        }
        guard hasData else { return nil }
        return ServerSentEvent(type: eventType.isEmpty ? "message" : eventType, data: data, id: lastEventID)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
