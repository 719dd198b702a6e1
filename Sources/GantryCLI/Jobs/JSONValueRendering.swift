import OpenAPIRuntime

/// Free-form JSON (plugin schemas, job input and results) inside human output: pretty-printed with sorted keys,
/// as `--json` prints it, and indented so it reads as part of the section above it.
enum JSONValueRendering {
    /// The value as indented lines ending in a newline; `(none)` when the field is absent.
    static func block(_ value: OpenAPIValueContainer?, indent: String = "  ") -> String {
        guard let value else { return indent + "(none)\n" }
        return pretty(value).split(separator: "\n", omittingEmptySubsequences: false)
            .map { indent + $0 }.joined(separator: "\n") + "\n"
    }

    /// The value on its own, for stdout, with no trailing newline.
    static func pretty(_ value: OpenAPIValueContainer) -> String {
        // Encoding a decoded JSON value cannot fail in practice; the fallback only keeps this function total.
        (try? JSONOutput.render(value)) ?? String(describing: value.value)
    }
}
