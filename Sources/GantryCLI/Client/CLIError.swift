import Foundation

/// Everything a client command can fail with, already phrased for people. Commands throw these (or let
/// `CommandRunner` translate transport and runtime errors into them) so the one place that prints errors
/// knows the exact wording and the exit status.
enum CLIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A non-2xx answer from the API, decoded from its `{"error", "detail", ...}` body.
    case api(APIFailure)
    /// No token from `--token`, `GANTRY_TOKEN` or the config file.
    case notLoggedIn
    /// The server could not be reached at all (refused, DNS, TLS, timeout).
    case unreachable(server: String, reason: String)
    /// A command-line input the API would reject anyway, or that we cannot act on.
    case invalidInput(String)
    /// An instance reference that matches nothing, or more than one instance.
    case notFound(String)
    case ambiguous(String)
    /// An instance reached `failed` (or another dead end) while `--wait` was watching it.
    case instanceFailed(name: String, state: String, reason: String?)
    case timedOut(String)
    /// The config file could not be read or written.
    case config(String)
    /// A response the contract allows but we did not expect (for example an undocumented 2xx status).
    case unexpected(String)

    /// The decoded API error body, with the HTTP status it came with.
    struct APIFailure: Equatable, Sendable {
        var status: Int
        var code: String
        var detail: String
        var resource: String?
        /// For `insufficient_capacity`: each node and what it is short of.
        var nodes: [NodeShortfall]

        struct NodeShortfall: Equatable, Sendable {
            var node: String
            var reasons: [String]
        }
    }

    /// The lines printed to stderr; the first carries the `error: ` prefix.
    var lines: [String] {
        switch self {
        case .api(let failure):
            var lines = ["error: \(failure.detail) (\(failure.code))"]
            // Capacity errors are only actionable with the per-node reasons, so show them all.
            for node in failure.nodes {
                if node.reasons.isEmpty {
                    lines.append("  \(node.node)")
                }
                for reason in node.reasons {
                    lines.append("  \(node.node): \(reason)")
                }
            }
            return lines
        case .notLoggedIn:
            return ["error: not logged in: run `gantry login`"]
        case .unreachable(let server, let reason):
            return ["error: cannot reach \(server): \(reason)"]
        case .invalidInput(let message), .notFound(let message), .ambiguous(let message),
            .timedOut(let message), .config(let message), .unexpected(let message):
            return ["error: \(message)"]
        case .instanceFailed(let name, let state, let reason):
            let because = reason.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? ""
            let what = state == "failed" ? "failed" : "is \(state)"
            return ["error: instance \(name) \(what)\(because)"]
        }
    }

    var description: String { lines.joined(separator: "\n") }
}
