/// Finds an object key that appears twice in one JSON object. JSON parsers disagree on which of
/// two equal keys wins (Foundation keeps the first, most others the last), so a document with
/// one means different things to different readers; Gantry refuses it instead of guessing.
///
/// A single pass over the bytes: strings are read with their escapes (so `"a"` and `"\u0061"`
/// are the same key), everything else is skipped. It does not validate the document: for text
/// that is not JSON it may answer nil, and the parser then reports the real error.
public enum JSONDuplicateKeys {
    /// A duplicate key found, with the object keys leading to it (`["input_data", "a"]`).
    public struct Duplicate: Sendable, Equatable, CustomStringConvertible {
        public var key: String
        public var path: [String]

        public init(key: String, path: [String]) {
            self.key = key
            self.path = path
        }

        public var description: String {
            path.isEmpty
                ? "the key '\(key)' appears twice" : "the key '\(key)' appears twice in \(path.joined(separator: "."))"
        }
    }

    /// Deeper documents are left to the parser, which refuses them anyway.
    static let maximumDepth = 10_000

    /// An open object; arrays need no state beyond their place in the nesting.
    private struct OpenObject {
        /// Strings, not bytes: Swift's equality (canonical equivalence) is what a decoder's
        /// dictionary uses, so `"é"` and `"e\u{301}"` are one key there too.
        var keys: Set<String> = []
        var expectingKey = true
        let name: String?
    }

    public static func first(in bytes: some Collection<UInt8>) -> Duplicate? {
        let bytes = Array(bytes)
        // The nesting, innermost last (true: an object), and the open objects, innermost last;
        // kept apart so a key is added to its set in place.
        var nesting: [Bool] = []
        var objects: [OpenObject] = []
        var lastKey: String?
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard nesting.count < maximumDepth else { return nil }
                if byte == UInt8(ascii: "{") {
                    objects.append(OpenObject(name: nesting.last == true ? lastKey : nil))
                    nesting.append(true)
                } else {
                    nesting.append(false)
                }
                lastKey = nil
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if nesting.popLast() == true { _ = objects.popLast() }
                lastKey = nil
                index += 1
            case UInt8(ascii: ","):
                if nesting.last == true { objects[objects.count - 1].expectingKey = true }
                index += 1
            case UInt8(ascii: "\""):
                guard let (text, end) = readString(bytes, from: index + 1) else { return nil }
                index = end
                guard nesting.last == true, objects[objects.count - 1].expectingKey else { continue }
                let key = String(decoding: text, as: UTF8.self)
                guard objects[objects.count - 1].keys.insert(key).inserted else {
                    return Duplicate(key: key, path: objects.compactMap(\.name))
                }
                objects[objects.count - 1].expectingKey = false
                lastKey = key
            default:
                index += 1
            }
        }
        return nil
    }

    /// The string starting at `start` (just past its opening quote) with escapes decoded, and
    /// the index past its closing quote; nil for an unterminated string or a bad escape.
    private static func readString(_ bytes: [UInt8], from start: Int) -> ([UInt8], Int)? {
        var text: [UInt8] = []
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return (text, index + 1) }
            guard byte == UInt8(ascii: "\\") else {
                text.append(byte)
                index += 1
                continue
            }
            guard index + 1 < bytes.count else { return nil }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(bytes, at: index) else { return nil }
                index += 4
                if (0xD800..<0xDC00).contains(scalar), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u"), let low = hex4(bytes, at: index + 2),
                    (0xDC00..<0xE000).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                // A lone surrogate cannot be UTF-8; it stands for itself as U+FFFD.
                text.append(contentsOf: String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
            default:
                return nil
            }
        }
        return nil
    }

    private static func hex4(_ bytes: [UInt8], at index: Int) -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[index..<(index + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
