import Foundation

/// Where `gantry ssh-keys add` gets the key from: a file named on the command line, stdin for `-`, or the
/// first of the usual `ssh-keygen` outputs that exists. Only Ed25519 and ECDSA are looked for by default
/// because those are the types the gateway accepts.
enum SSHPublicKeyFile {
    /// The default files, in order of preference, relative to the home directory.
    static let defaultNames = [".ssh/id_ed25519.pub", ".ssh/id_ecdsa.pub"]

    /// Where the key comes from once the command line and the home directory have been looked at.
    enum Source: Equatable, Sendable {
        case stdin
        case file(String)

        /// How the source is named in messages.
        var label: String {
            switch self {
            case .stdin: "stdin"
            case .file(let path): path
            }
        }
    }

    /// `$HOME`, falling back to the account's home directory, as `ssh` itself does.
    static func home(environment: [String: String]) -> String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        return FileManager.default.homeDirectoryForCurrentUser.path
    }

    static func defaultPaths(home: String) -> [String] {
        defaultNames.map { URL(fileURLWithPath: home).appendingPathComponent($0).path }
    }

    /// The source for `path` (nil when none was given). A leading `~/` is expanded for paths that were quoted
    /// and so missed the shell's expansion.
    static func source(
        for path: String?, home: String, fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) throws -> Source {
        if let path {
            if path == "-" { return .stdin }
            if path.hasPrefix("~/") {
                return .file(URL(fileURLWithPath: home).appendingPathComponent(String(path.dropFirst(2))).path)
            }
            return .file(path)
        }
        let candidates = defaultPaths(home: home)
        guard let found = candidates.first(where: fileExists) else {
            throw CLIError.invalidInput(
                "no public key found at \(candidates.joined(separator: " or ")): give a path, or create a key "
                    + "with `ssh-keygen -t ed25519`")
        }
        return .file(found)
    }

    /// The `authorized_keys` line in `source`; `readStdin` is injectable for tests.
    static func read(_ source: Source, readStdin: () -> String = Console.readAllStdin) throws -> String {
        switch source {
        case .stdin:
            return try publicKeyLine(in: readStdin(), from: source)
        case .file(let path):
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw CLIError.invalidInput("cannot read \(path): \(Self.reason(error))")
            }
            return try publicKeyLine(in: String(decoding: data, as: UTF8.self), from: source)
        }
    }

    /// The one key line in `text`, ignoring blank lines and `#` comments. Private keys are refused here, before
    /// they could leave the machine, with a hint to use the `.pub` file next to them.
    static func publicKeyLine(in text: String, from source: Source) throws -> String {
        if text.contains("PRIVATE KEY") {
            let hint: String
            if case .file(let path) = source, !path.hasSuffix(".pub") {
                hint = ": use the public key, \(path).pub"
            } else {
                hint = ": give the .pub file"
            }
            throw CLIError.invalidInput("\(source.label) holds a private key\(hint)")
        }
        let lines = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard let line = lines.first else { throw CLIError.invalidInput("\(source.label) holds no public key") }
        guard lines.count == 1 else {
            throw CLIError.invalidInput("\(source.label) holds \(lines.count) keys: add them one at a time")
        }
        // "TYPE BASE64 [COMMENT]": anything shorter is not a key, whatever else the server would say about it.
        guard line.split(whereSeparator: \.isWhitespace).count >= 2 else {
            throw CLIError.invalidInput(
                "\(source.label) does not hold an SSH public key (expected \"TYPE KEY [COMMENT]\")")
        }
        return line
    }

    /// Foundation's "The file … couldn't be opened" repeats the path; the usual short reasons read better.
    private static func reason(_ error: any Error) -> String {
        switch (error as? CocoaError)?.code {
        case .some(.fileReadNoSuchFile), .some(.fileNoSuchFile): "no such file"
        case .some(.fileReadNoPermission): "permission denied"
        default: error.localizedDescription
        }
    }
}
