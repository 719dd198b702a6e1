import GantryOpenAPI

extension GantryAPIClient {
    /// Prints `value` as JSON under `--json`, otherwise the human rendering (which carries its own newlines).
    func emit(_ value: some Encodable, human: () -> String) throws {
        if json {
            try JSONOutput.print(value)
        } else {
            Console.out(human(), terminator: "")
        }
    }

    /// Tells people (on stderr, so pipes stay clean) when a list has more than one page.
    func notePaging(shown: Int, skip: Int, total: Int) {
        guard !json, skip + shown < total || skip > 0 else { return }
        let range = shown == 0 ? "none" : "\(skip + 1)-\(skip + shown)"
        Console.error("(showing \(range) of \(total); use --skip and --limit for more)")
    }
}

extension CLIError {
    /// For the `default:` branch after a switch over an operation's output: the error middleware has already
    /// thrown for every non-2xx status, so this is an undocumented success status or a contract mismatch.
    static func unexpectedResponse(_ operationID: String) -> CLIError {
        .unexpected("unexpected response from the server to \(operationID)")
    }
}
