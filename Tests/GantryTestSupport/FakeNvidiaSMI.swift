import Foundation

/// A shell script standing in for `nvidia-smi` that prints recorded fixtures, so GPU code runs
/// unchanged on a machine without GPUs. One definition for the parser tests and the server's.
public enum FakeNvidiaSMI {
    /// The recorded outputs (`Tests/NvidiaSMITests/Fixtures/<case>/nvidia-smi-q-x.xml` and `-L.txt`).
    public static var fixturesDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("NvidiaSMITests/Fixtures")
    }

    /// The script body that answers `-q -x` and `-L` from two files.
    public static func script(xml: String, list: String) -> String {
        """
        case "$*" in
            *-x*) cat \(quoted(xml)) ;;
            *-L*) cat \(quoted(list)) ;;
            *) echo "fake nvidia-smi: unexpected arguments: $*" >&2; exit 2 ;;
        esac
        """
    }

    /// Writes an executable script into `directory` that answers from the fixture `name` (e.g.
    /// `a100-mig-on`); returns its path.
    public static func install(fixture name: String, in directory: String) throws -> String {
        let fixture = fixturesDirectory.appendingPathComponent(name)
        let path = (directory as NSString).appendingPathComponent("nvidia-smi-\(name)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try write(
            script(
                xml: fixture.appendingPathComponent("nvidia-smi-q-x.xml").path,
                list: fixture.appendingPathComponent("nvidia-smi-L.txt").path),
            to: path, executable: true)
        return path
    }

    /// Runs `test` with the path of a script whose body is `body`, in a temporary directory of
    /// its own that is removed afterwards.
    @discardableResult
    public static func withScript<Result>(
        _ body: String, executable: Bool = true, _ test: (_ path: String) async throws -> Result
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("fake-nvidia-smi-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nvidia-smi").path
        try write(body, to: path, executable: executable)
        return try await test(path)
    }

    /// A path in single quotes for the shell.
    public static func quoted(_ path: String) -> String {
        "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private static func write(_ body: String, to path: String, executable: Bool) throws {
        let created = FileManager.default.createFile(
            atPath: path, contents: Data("#!/bin/sh\n\(body)\n".utf8),
            attributes: [.posixPermissions: executable ? 0o755 : 0o644])
        guard created else { throw TestFailure("could not write \(path)") }
    }
}
