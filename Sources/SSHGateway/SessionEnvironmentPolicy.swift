/// Which environment variables a client may set in the container (`SendEnv`/`SetEnv`): locale and
/// terminal hints only, never anything that changes how the shell, the loader or tools behave
/// (`PATH`, `LD_PRELOAD`, `BASH_ENV`, …).
enum SessionEnvironmentPolicy {
    static let maximumVariables = 64
    static let maximumValueLength = 4096

    private static let allowedNames: Set<String> = [
        "LANG", "LANGUAGE", "TZ", "TERM", "COLORTERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION",
    ]

    static func accepts(name: String, value: String) -> Bool {
        guard value.utf8.count <= maximumValueLength, !value.utf8.contains(0) else {
            return false
        }
        if allowedNames.contains(name) {
            return true
        }
        // LC_ALL, LC_CTYPE, LC_MESSAGES, …
        guard name.hasPrefix("LC_"), name.utf8.count > 3 else {
            return false
        }
        return name.utf8.dropFirst(3).allSatisfy {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || $0 == UInt8(ascii: "_")
        }
    }
}
