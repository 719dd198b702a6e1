/// Validation rules for names and handles that users choose.
public enum Identifiers {
    /// `^[a-z][a-z0-9-]{0,31}$`: usernames double as SSH login names.
    public static func isValidUsername(_ value: String) -> Bool {
        matches(value, first: isLowerLetter, rest: { isLowerLetter($0) || isDigit($0) || $0 == "-" }, maxLength: 32)
    }

    /// `^[a-z0-9][a-z0-9-]{0,62}$`: instance names are DNS-label-like.
    public static func isValidInstanceName(_ value: String) -> Bool {
        matches(
            value, first: { isLowerLetter($0) || isDigit($0) },
            rest: { isLowerLetter($0) || isDigit($0) || $0 == "-" }, maxLength: 63)
    }

    /// `^[a-z0-9][a-z0-9._-]{0,62}$`: catalog image names.
    public static func isValidImageName(_ value: String) -> Bool {
        matches(
            value, first: { isLowerLetter($0) || isDigit($0) },
            rest: { isLowerLetter($0) || isDigit($0) || $0 == "-" || $0 == "." || $0 == "_" }, maxLength: 63)
    }

    /// `^[a-z0-9-]{1,100}$`: plugin names (seed 003).
    public static func isValidPluginName(_ value: String) -> Bool {
        (1...100).contains(value.utf8.count)
            && value.allSatisfy { isLowerLetter($0) || isDigit($0) || $0 == "-" }
    }

    /// A pragmatic address check: one `@`, a non-empty local part, a dotted domain, no spaces.
    public static func isValidEmail(_ value: String) -> Bool {
        guard value.count <= 254, !value.contains(where: { $0.isWhitespace }) else { return false }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        }
    }

    /// At least 8 characters with at least one letter and one digit.
    public static func passwordWeakness(_ password: String) -> String? {
        if password.count < 8 { return "password must be at least 8 characters" }
        if password.count > 128 { return "password must be at most 128 characters" }
        if !password.contains(where: { $0.isLetter }) { return "password must contain a letter" }
        if !password.contains(where: { $0.isNumber }) { return "password must contain a digit" }
        return nil
    }

    private static func matches(
        _ value: String, first: (Character) -> Bool, rest: (Character) -> Bool, maxLength: Int
    ) -> Bool {
        guard let head = value.first, value.count <= maxLength, first(head) else { return false }
        return value.dropFirst().allSatisfy(rest)
    }

    private static func isLowerLetter(_ c: Character) -> Bool { c >= "a" && c <= "z" }
    private static func isDigit(_ c: Character) -> Bool { c >= "0" && c <= "9" }
}
