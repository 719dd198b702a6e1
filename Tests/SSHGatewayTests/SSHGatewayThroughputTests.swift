import Foundation
import Testing

/// Not a pass/fail check: pipes 256 MiB through the gateway into the fake's local `cat` and
/// prints the rate. Opt in with GANTRY_SSH_BENCH=1; the figure depends on the machine.
@Suite(
    .enabled(if: ProcessInfo.processInfo.environment["GANTRY_SSH_BENCH"] == "1", "set GANTRY_SSH_BENCH=1"),
    .serialized, .timeLimit(.minutes(3)))
struct SSHGatewayThroughputTests {
    static let bytes = 256 * 1024 * 1024

    @Test func uploadRate() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                let ssh = gateway.sshArguments(
                    [key], extra: ["-c", "aes128-gcm@openssh.com"], command: "'cat > /dev/null'"
                )
                .map { "'\($0)'" }.joined(separator: " ")
                let line = "head -c \(Self.bytes) /dev/zero | /usr/bin/ssh \(ssh)"
                let result = try await RunningCommand.run(
                    "/bin/sh", ["-c", line], in: directory.url, timeout: .seconds(150))
                #expect(result.status == 0, "\(result.stderr)")
                report("upload (client → gateway → cat)", result)
            }
        }
    }

    @Test func downloadRate() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                let ssh = gateway.sshArguments(
                    [key], extra: ["-c", "aes128-gcm@openssh.com"], command: "head -c \(Self.bytes) /dev/zero"
                ).map { "'\($0)'" }.joined(separator: " ")
                let line = "/usr/bin/ssh \(ssh) > /dev/null"
                let result = try await RunningCommand.run(
                    "/bin/sh", ["-c", line], in: directory.url, timeout: .seconds(150))
                #expect(result.status == 0, "\(result.stderr)")
                report("download (head → gateway → client)", result)
            }
        }
    }

    private func report(_ direction: String, _ result: CommandResult) {
        let seconds = Double(result.elapsed.components.seconds) + Double(result.elapsed.components.attoseconds) / 1e18
        let rate = Double(Self.bytes) / 1_000_000 / seconds
        print(
            "ssh gateway \(direction): \(Self.bytes / 1024 / 1024) MiB in \(String(format: "%.2f", seconds)) s = \(String(format: "%.0f", rate)) MB/s"
        )
    }
}
