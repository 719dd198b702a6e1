import Foundation

/// A stand-in `nvidia-smi` that prints a recorded fixture, so GPU code runs unchanged on a
/// machine without GPUs.
enum FakeNvidiaSMI {
    static var fixturesDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("NvidiaSMITests/Fixtures")
    }

    /// Writes an executable script into `directory` that answers `-q -x` and `-L` from the
    /// fixture `name` (e.g. `a100-mig-on`); returns its path.
    static func install(fixture name: String, in directory: String) throws -> String {
        let fixture = fixturesDirectory.appendingPathComponent(name).path
        let path = (directory as NSString).appendingPathComponent("nvidia-smi-\(name)")
        let script = """
            #!/bin/sh
            case "$*" in
              *-x*) exec cat '\(fixture)/nvidia-smi-q-x.xml' ;;
              *-L*) exec cat '\(fixture)/nvidia-smi-L.txt' ;;
              *) echo "fake nvidia-smi: unsupported arguments: $*" >&2; exit 2 ;;
            esac
            """
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }
}
