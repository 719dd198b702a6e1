import ArgumentParser

/// The options every API command takes: where to connect, as whom, and how to print.
struct APIOptions: ParsableArguments {
    @Option(help: "Gantry server URL (default: $GANTRY_URL, the logged-in server, or http://127.0.0.1:8080).")
    var server: String?

    @Option(help: "Access token or API key (default: $GANTRY_TOKEN or the saved login).")
    var token: String?

    @Flag(help: "Print the API's JSON object instead of a table.")
    var json = false
}

/// `--limit` and `--skip` for list commands.
struct PageOptions: ParsableArguments {
    @Option(help: "Most items to show (1-500).")
    var limit = 100

    @Option(help: "Items to skip, for paging.")
    var skip = 0

    func validate() throws {
        guard (1...500).contains(limit) else { throw ValidationError("--limit must be between 1 and 500") }
        guard skip >= 0 else { throw ValidationError("--skip must not be negative") }
    }
}
