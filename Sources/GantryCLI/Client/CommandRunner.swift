import ArgumentParser

/// The single place errors are printed: `CLIError` lines go to stderr and the process exits with status 1.
/// ArgumentParser's own errors pass through so it can print usage as usual.
enum CommandRunner {
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            if isArgumentParserControl(error) { throw error }
            let cliError = error as? CLIError ?? .unexpected("\(error)")
            for line in cliError.lines { Console.error(line) }
            throw ExitCode(1)
        }
    }

    /// Errors that ArgumentParser (or the runtime) should handle itself.
    static func isArgumentParserControl(_ error: any Error) -> Bool {
        error is ExitCode || error is CleanExit || error is ValidationError || error is CancellationError
    }
}
