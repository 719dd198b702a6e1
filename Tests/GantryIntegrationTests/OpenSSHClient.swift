import Foundation

/// Debian's OpenSSH client, driven as a user would drive it, against the gateway under test.
struct OpenSSHClient: Sendable {
    let directory: String
    let port: Int

    /// A fresh ed25519 key pair in a new temporary directory.
    static func make(port: Int) async throws -> OpenSSHClient {
        let directory = NSTemporaryDirectory() + "gantry-ssh-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let client = OpenSSHClient(directory: directory, port: port)
        _ = try await client.keygen(name: "id_ed25519", type: "ed25519")
        return client
    }

    /// Generates `name` (and `name.pub`) and returns the public key line.
    func keygen(name: String, type: String) async throws -> String {
        let path = (directory as NSString).appendingPathComponent(name)
        let result = try await Self.run(
            "/usr/bin/ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "test@\(name)", "-f", path])
        guard result.status == 0 else { throw SSHTestError("ssh-keygen failed: \(result.stderr)") }
        return try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    var publicKey: String {
        get throws {
            try String(contentsOfFile: directory + "/id_ed25519.pub", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    func options(key: String = "id_ed25519") -> [String] {
        [
            "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "PasswordAuthentication=no",
            "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10", "-i",
            (directory as NSString).appendingPathComponent(key),
        ]
    }

    /// `ssh -p PORT login@127.0.0.1 command…`, with `input` on stdin.
    func ssh(
        _ login: String, _ command: [String] = [], input: Data? = nil, key: String = "id_ed25519",
        extra: [String] = []
    ) async throws -> ProcessResult {
        try await Self.run(
            "/usr/bin/ssh", options(key: key) + extra + ["-p", String(port), "\(login)@127.0.0.1"] + command,
            input: input)
    }

    func scp(_ arguments: [String]) async throws -> ProcessResult {
        try await Self.run("/usr/bin/scp", options() + ["-P", String(port)] + arguments)
    }

    func sftp(_ login: String, batch: String) async throws -> ProcessResult {
        let file = (directory as NSString).appendingPathComponent("batch-\(UUID().uuidString.prefix(6))")
        try batch.write(toFile: file, atomically: true, encoding: .utf8)
        return try await Self.run("/usr/bin/sftp", options() + ["-P", String(port), "-b", file, "\(login)@127.0.0.1"])
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    struct ProcessResult: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs on a thread of its own: blocking the few cooperative threads would starve the server
    /// under test, which runs in the same process, and blocking many dispatch threads would starve
    /// Foundation's own process monitoring.
    static func run(_ executable: String, _ arguments: [String], input: Data? = nil) async throws -> ProcessResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try runBlocking(executable, arguments, input: input) })
            }.start()
        }
    }

    static func runBlocking(_ executable: String, _ arguments: [String], input: Data?) throws -> ProcessResult {
        let process = Process()
        // Through a plain sh parent: OpenSSH tools close inherited descriptors at start, and
        // Foundation on Linux then stops noticing any other child's exit until they end.
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\"$@\"; status=$?; exit $status", "sh", executable] + arguments
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle(forReadingAtPath: "/dev/null") : inPipe
        try process.run()
        // Readers run beside the writer so a full pipe never stalls either side.
        let outData = ReadBox()
        let errData = ReadBox()
        let group = DispatchGroup()
        for (pipe, box) in [(out, outData), (err, errData)] {
            group.enter()
            Thread {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }.start()
        }
        if let input {
            inPipe.fileHandleForWriting.write(input)
            try? inPipe.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        group.wait()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: outData.data, as: UTF8.self),
            stderr: String(decoding: errData.data, as: UTF8.self))
    }
}

private final class ReadBox: @unchecked Sendable {
    var data = Data()
}

struct SSHTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
