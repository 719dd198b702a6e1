import Foundation
import GantryCore
import GantryOpenAPI
import OpenAPIRuntime

/// A JSON document given on the command line: a file, stdin for `-`, or the text itself (`--input-json`).
/// Reading and parsing are kept apart and pure where they can be, so every error names where the JSON came
/// from and is tested without a terminal.
enum JSONInputFile {
    enum Source: Equatable, Sendable {
        case stdin
        case file(String)
        /// JSON typed on the command line; `label` names the option it came with.
        case text(String, label: String)

        /// How the source is named in messages.
        var label: String {
            switch self {
            case .stdin: "stdin"
            case .file(let path): path
            case .text(_, let label): label
            }
        }
    }

    /// The source for a path argument: `-` is stdin, and a leading `~/` is expanded for paths that were quoted
    /// and so missed the shell's expansion.
    static func source(forPath path: String, home: String) -> Source {
        if path == "-" { return .stdin }
        if path.hasPrefix("~/") {
            return .file(URL(fileURLWithPath: home).appendingPathComponent(String(path.dropFirst(2))).path)
        }
        return .file(path)
    }

    /// The bytes of `source`; `readStdin` is injectable for tests.
    static func read(
        _ source: Source, readStdin: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }
    ) throws -> Data {
        switch source {
        case .stdin:
            return readStdin()
        case .text(let text, _):
            return Data(text.utf8)
        case .file(let path):
            do {
                return try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw CLIError.invalidInput("cannot read \(path): \(reason(error))")
            }
        }
    }

    /// Any JSON value (object, array, string, number, boolean or null), ready to send as a free-form field.
    /// Gantry's own parser reads it, so numbers keep their exact value and spelling (`1e400`,
    /// `99999999999999999999999`, `1.0`) on the way to the server, and a key given twice is refused.
    static func parse(_ data: Data, from source: Source) throws -> OpenAPIValueContainer {
        guard data.contains(where: { !Self.isJSONWhitespace($0) }) else {
            throw CLIError.invalidInput("\(source.label) is empty: expected JSON")
        }
        let parsed = data.withUnsafeBytes { bytes in
            Result { () throws(JSONValueError) in try JSONValue(parsing: bytes) }
        }
        switch parsed {
        case .success(let value):
            return value.openAPIValue
        case .failure(.malformed(let reason)):
            throw CLIError.invalidInput("\(source.label) is not valid JSON: \(reason)")
        case .failure(.duplicateKey(let duplicate)):
            throw CLIError.invalidInput("\(source.label) is not valid JSON: \(duplicate)")
        }
    }

    /// `read` and `parse` together.
    static func load(
        _ source: Source, readStdin: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }
    ) throws -> OpenAPIValueContainer {
        try parse(read(source, readStdin: readStdin), from: source)
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
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
