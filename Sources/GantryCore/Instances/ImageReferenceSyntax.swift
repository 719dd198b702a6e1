/// Docker's image reference grammar (distribution's `reference` package), checked before a
/// reference is stored: `[host[:port]/]path[:tag][@digest]`, where the path is lower-case
/// components joined by `/`, each letters and digits with single `.`, `_`, `__` or runs of `-`
/// between them; a tag is up to 128 word characters, `.` and `-`, not starting with either; a
/// digest is `algorithm:hex` (sha256 with 64 hex digits). What the engine would refuse with
/// "invalid reference format" is refused here with the reason, and never reaches it.
public enum ImageReferenceSyntax {
    public static func isValid(_ text: String) -> Bool { problem(in: text) == nil }

    /// Why `text` is not a reference, or nil when it is one.
    public static func problem(in text: String) -> String? {
        guard !text.isEmpty else { return "is empty" }
        guard text.utf8.count <= 512, text.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
            return "must be printable ASCII without spaces, at most 512 characters"
        }
        var name = Substring(text)
        if let at = name.firstIndex(of: "@") {
            if let problem = digestProblem(name[name.index(after: at)...]) { return problem }
            name = name[..<at]
        }
        let lastSlash = name.lastIndex(of: "/")
        let tagSearch = lastSlash.map { name.index(after: $0) } ?? name.startIndex
        if let colon = name[tagSearch...].lastIndex(of: ":") {
            let tag = name[name.index(after: colon)...]
            guard isTag(tag) else {
                return
                    "has tag '\(tag)'; a tag is 1–128 letters, digits, '_', '.' and '-', not starting with '.' or '-'"
            }
            name = name[..<colon]
        }
        guard name.count <= 255 else { return "has a name longer than 255 characters" }
        var components = name.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost"
        {
            guard isDomain(first) else {
                return "has registry '\(first)', which is not a host name with an optional port"
            }
            components.removeFirst()
        }
        for component in components where !isPathComponent(component) {
            return component.isEmpty
                ? "has an empty path component"
                : "has path component '\(component)'; components are lower-case letters and digits, "
                    + "with single '.', '_', '__' or dashes between them"
        }
        return nil
    }

    /// The registry a reference pulls from, as the engine decides it: the first component when
    /// it looks like a host (a dot, a port or `localhost`), else Docker Hub (`docker.io`).
    public static func registry(of reference: String) -> String {
        let components = reference.split(separator: "/", maxSplits: 1)
        guard components.count == 2, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost"
        else { return "docker.io" }
        return String(first).lowercased()
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    static func isPathComponent(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last, isLowerAlphanumeric(first), isLowerAlphanumeric(last)
        else { return false }
        var index = 0
        while index < bytes.count {
            if isLowerAlphanumeric(bytes[index]) {
                index += 1
                continue
            }
            var end = index
            while end < bytes.count, !isLowerAlphanumeric(bytes[end]) { end += 1 }
            let separator = bytes[index..<end]
            let valid =
                separator.elementsEqual([UInt8(ascii: ".")]) || separator.elementsEqual([UInt8(ascii: "_")])
                || separator.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")])
                || separator.allSatisfy { $0 == UInt8(ascii: "-") }
            guard valid else { return false }
            index = end
        }
        return true
    }

    /// `host[:port]`: dot-separated labels of letters, digits and inner dashes, or `[IPv6]`.
    static func isDomain(_ text: Substring) -> Bool {
        var host = text
        if let colon = text.lastIndex(of: ":"), !text.hasSuffix("]") {
            let port = text[text.index(after: colon)...]
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isNumber), let number = Int(port),
                number <= 65535
            else { return false }
            host = text[..<colon]
        }
        if host.hasPrefix("[") {
            return host.hasSuffix("]") && host.count > 2
                && host.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last, bytes.count <= 63, isAlphanumeric(first),
                isAlphanumeric(last)
            else { return false }
            return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// `[\w][\w.-]{0,127}`
    static func isTag(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 128, isAlphanumeric(first) || first == UInt8(ascii: "_") else {
            return false
        }
        return bytes.allSatisfy { isAlphanumeric($0) || "_.-".utf8.contains($0) }
    }

    /// `algorithm:hex`, where the algorithm is letter-led components joined by `+ . _ -` and the
    /// hex is at least 32 digits (exactly 64 for sha256, 128 for sha512).
    static func digestProblem(_ text: Substring) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return "has digest '\(text)'; a digest is algorithm:hex" }
        let algorithm = text[..<colon]
        let hex = text[text.index(after: colon)...]
        let components = algorithm.split(omittingEmptySubsequences: false, whereSeparator: { "+._-".contains($0) })
        let algorithmValid = components.allSatisfy { component in
            guard let first = component.first, first.isASCII, first.isLetter else { return false }
            return component.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
        guard algorithmValid else { return "has digest algorithm '\(algorithm)', which is not one" }
        let expected = ["sha256": 64, "sha512": 128][String(algorithm)]
        guard hex.allSatisfy(\.isHexDigit), hex.count >= 32, expected.map({ hex.count == $0 }) ?? true else {
            return "has digest '\(text)'; \(algorithm) takes \(expected.map { "\($0)" } ?? "at least 32") hex digits"
        }
        return nil
    }
}
