import Foundation
import GantryPorts
import GantryServices
import Testing

/// sftp and scp through the gateway; the fake runs the subsystem's shell line, and so this
/// machine's `sftp-server`.
@Suite(.timeLimit(.minutes(3)))
struct SSHGatewayFileTransferTests {
    private static func randomFile(at url: URL, size: Int) throws {
        var generator = SystemRandomNumberGenerator()
        try Data((0..<size).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).write(to: url)
    }

    @Test func roundTripsAFileOverSFTP() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            let original = directory.url.appendingPathComponent("original.bin")
            try Self.randomFile(at: original, size: 3 * 1024 * 1024 + 17)
            let uploaded = directory.path("uploaded.bin")
            let downloaded = directory.path("downloaded.bin")
            let batch = directory.url.appendingPathComponent("batch")
            try Data("put \(original.path) \(uploaded)\nget \(uploaded) \(downloaded)\n".utf8).write(to: batch)
            try await GatewayHarness.with(access, in: directory) { gateway in
                let result = try await RunningCommand.run(
                    "/usr/bin/sftp", gateway.fileTransferOptions(key) + ["-b", batch.path, "alice@127.0.0.1"],
                    in: directory.url)
                #expect(result.status == 0, "\(result.stderr)")
                #expect(FileManager.default.contentsEqual(atPath: original.path, andPath: uploaded))
                #expect(FileManager.default.contentsEqual(atPath: original.path, andPath: downloaded))
                #expect(access.snapshot.execs.first?.argv.last?.contains("sftp-server") == true)
            }
        }
    }

    @Test func uploadsWithSCP() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            let original = directory.url.appendingPathComponent("original.bin")
            try Self.randomFile(at: original, size: 1024 * 1024 + 3)
            let uploaded = directory.path("copied.bin")
            try await GatewayHarness.with(access, in: directory) { gateway in
                let result = try await RunningCommand.run(
                    "/usr/bin/scp", gateway.fileTransferOptions(key) + [original.path, "alice@127.0.0.1:\(uploaded)"],
                    in: directory.url)
                #expect(result.status == 0, "\(result.stderr)")
                #expect(FileManager.default.contentsEqual(atPath: original.path, andPath: uploaded))
            }
        }
    }
}
