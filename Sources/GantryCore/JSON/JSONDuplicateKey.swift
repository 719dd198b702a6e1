/// A key that appears twice in one JSON object. Parsers disagree on which of two equal keys wins
/// (Foundation keeps the first, most others the last), so such a document means different things
/// to different readers; Gantry refuses it instead of guessing (`JSONValueError.duplicateKey`).
/// Keys compare as Swift strings, as a dictionary does: `"é"` and `"e\u0301"` are one key.
public struct JSONDuplicateKey: Sendable, Equatable, CustomStringConvertible {
    public var key: String
    /// The object keys leading to the object that has it (`["input_data", "a"]`); array items
    /// are not named.
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
