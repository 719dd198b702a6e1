/// Takes network addresses out of engine messages before users see them (a failed pull's
/// "lookup evil.example on 10.0.0.2:53: no such host" names the installation's resolver; a
/// refused connection names hosts and ports inside the network). The full message stays in the
/// server's log for admins.
public enum AddressRedaction {
    public static let placeholder = "<address>"

    public static func redacted(_ message: String) -> String {
        var output = ""
        output.reserveCapacity(message.count)
        var index = message.startIndex
        while index < message.endIndex {
            if let end = addressEnd(in: message, from: index) {
                output += placeholder
                index = end
            } else {
                output.append(message[index])
                index = message.index(after: index)
            }
        }
        return output
    }

    /// The end of an IPv4 address (with its port) or a bracketed IPv6 address starting at `start`,
    /// when one does and it is not the tail of a longer word or number.
    private static func addressEnd(in text: String, from start: String.Index) -> String.Index? {
        if start > text.startIndex {
            let before = text[text.index(before: start)]
            if before.isLetter || before.isNumber || before == "." { return nil }
        }
        if text[start] == "[" {
            guard let close = text[start...].firstIndex(of: "]") else { return nil }
            let inside = text[text.index(after: start)..<close]
            guard inside.contains(":"), inside.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return nil
            }
            return port(in: text, after: text.index(after: close))
        }
        var index = start
        for octet in 0..<4 {
            var digits = 0
            while index < text.endIndex, text[index].isASCII, text[index].isNumber, digits < 3 {
                index = text.index(after: index)
                digits += 1
            }
            guard digits > 0 else { return nil }
            if octet < 3 {
                guard index < text.endIndex, text[index] == "." else { return nil }
                index = text.index(after: index)
            }
        }
        if index < text.endIndex, text[index].isNumber || text[index].isLetter { return nil }
        return port(in: text, after: index)
    }

    private static func port(in text: String, after index: String.Index) -> String.Index {
        guard index < text.endIndex, text[index] == ":" else { return index }
        var end = text.index(after: index)
        while end < text.endIndex, text[end].isASCII, text[end].isNumber { end = text.index(after: end) }
        return end == text.index(after: index) ? index : end
    }
}
