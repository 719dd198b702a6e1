/// Reads a password from the flag, from stdin, or from a no-echo prompt, in that order. Passing one on the
/// command line is allowed for scripts, but stdin keeps it out of shell history and `ps`.
enum SecretInput {
    static func password(option: String?, fromStdin: Bool, confirm: Bool) throws -> String {
        if let option {
            return option
        }
        if fromStdin {
            let password = Console.readAllStdin()
            guard !password.isEmpty else { throw CLIError.invalidInput("no password on stdin") }
            return password
        }
        guard Console.stdinIsTerminal else {
            throw CLIError.invalidInput("no password given: use --password-stdin or --password, or run in a terminal")
        }
        guard let password = Console.promptSecret("Password: "), !password.isEmpty else {
            throw CLIError.invalidInput("a password is required")
        }
        if confirm {
            guard Console.promptSecret("Confirm password: ") == password else {
                throw CLIError.invalidInput("the passwords do not match")
            }
        }
        return password
    }

    /// A visible prompt for a value such as the username, only when someone is at a terminal to answer it.
    static func value(option: String?, prompt: String, flag: String) throws -> String {
        if let option, !option.isEmpty {
            return option
        }
        guard Console.stdinIsTerminal else {
            throw CLIError.invalidInput("\(flag) is required when stdin is not a terminal")
        }
        guard let answer = Console.prompt(prompt), !answer.isEmpty else {
            throw CLIError.invalidInput("\(flag) is required")
        }
        return answer
    }
}
