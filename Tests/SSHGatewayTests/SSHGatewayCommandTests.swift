import Foundation
import GantryPorts
import GantryServices
import GantryTestSupport
import Logging
import SSHGateway
import Testing

/// The real OpenSSH client against the gateway, with commands run on this machine by the fake.
@Suite(.timeLimit(.minutes(3)))
struct SSHGatewayCommandTests {
    @Test func runsACommandWithAnEd25519Key() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                let result = try await gateway.ssh([key], command: "echo hello")
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.output == "hello\n")

                let exec = try #require(access.snapshot.execs.first)
                #expect(exec.argv == ["/bin/sh", "-c", "echo hello"])
                #expect(exec.containerID == FakeShellAccess.target.containerID)
                #expect(!exec.tty)
                #expect(exec.workingDirectory == nil)
                #expect(exec.initialSize == nil)

                let accepted = try #require(gateway.logs.first("ssh login accepted"))
                #expect(accepted.metadata["ssh.user"] == "alice")
                #expect(accepted.metadata["ssh.key_fingerprint"] == "\(SSHKeyFingerprint.sha256(blob: key.blob))")
                #expect(accepted.metadata["ssh.remote"]?.description.hasPrefix("127.0.0.1:") == true)
                let started = try #require(gateway.logs.first("ssh session started"))
                #expect(started.metadata["ssh.container"] == "c0ffee")
                #expect(try await eventually { gateway.logs.first("ssh connection closed") != nil })
                let closed = try #require(gateway.logs.first("ssh connection closed"))
                #expect(closed.metadata["bytes_out"] == "6")
                #expect(closed.metadata["duration_s"] != nil)
                #expect(try await eventually { gateway.metrics.snapshot.closed == 1 })
                #expect(gateway.metrics.snapshot.opened == 1)
                #expect(gateway.metrics.snapshot.bytesOut == 6)
            }
        }
    }

    @Test func acceptsAnECDSAKey() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ecdsa, named: "alice-ecdsa", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                let result = try await gateway.ssh([key], command: "echo ecdsa")
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.output == "ecdsa\n")
            }
        }
    }

    @Test func passesTheExitStatusOn() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                let result = try await gateway.ssh([key], command: "exit 7")
                #expect(result.status == 7)
            }
        }
    }

    @Test func keepsStdoutAndStderrApart() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                let result = try await gateway.ssh([key], command: "echo out; echo err >&2")
                #expect(result.status == 0)
                #expect(result.output == "out\n")
                #expect(result.stderr == "err\n")
            }
        }
    }

    @Test func streamsStdinToTheProgram() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            let input = directory.url.appendingPathComponent("input")
            try Data((0..<(5 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: input)
            try await GatewayHarness.with(access, in: directory) { gateway in
                let result = try await gateway.ssh([key], command: "wc -c", stdin: input)
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "5242880")

                // And back out again, byte for byte.
                let echoed = try await gateway.ssh([key], command: "cat", stdin: input)
                #expect(echoed.status == 0)
                #expect(echoed.stdout == (try Data(contentsOf: input)))
            }
        }
    }

    /// Fifty logins from one address at once: a burst beyond the default startup limits, which
    /// a host that bursts like this raises.
    @Test func runsFiftyCommandsAtOnce() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            let burst = SSHStartupLimits(perSource: 64, start: 64, full: 128)
            try await GatewayHarness.with(access, in: directory, configure: { $0.startups = burst }) { gateway in
                let results = try await withThrowingTaskGroup(of: (Int, CommandResult).self) { group in
                    for index in 0..<50 {
                        group.addTask {
                            (index, try await gateway.ssh([key], command: "echo \(index)", timeout: .seconds(120)))
                        }
                    }
                    return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
                }
                #expect(results.count == 50)
                for (index, result) in results {
                    #expect(result.status == 0, "command \(index): \(result.stderr)")
                    #expect(result.output == "\(index)\n")
                }
            }
        }
    }

    @Test func passesTheTerminalAndOnlySafeVariables() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                // -tt asks for a pty although stdin is no terminal; the fake runs it without one.
                let result = try await gateway.ssh(
                    [key], extra: ["-tt", "-o", "SetEnv=LANG=C.UTF-8 LC_TIME=C LD_PRELOAD=/evil.so FOO=bar"],
                    command: "echo ok", environment: ["TERM": "xterm-256color"])
                #expect(result.status == 0, "\(result.stderr)")
                let exec = try #require(access.snapshot.execs.first)
                #expect(exec.tty)
                #expect(exec.environment.contains("TERM=xterm-256color"))
                #expect(exec.environment.contains("LANG=C.UTF-8"))
                #expect(exec.environment.contains("LC_TIME=C"))
                #expect(!exec.environment.contains { $0.hasPrefix("LD_PRELOAD=") || $0.hasPrefix("FOO=") })
                #expect(exec.initialSize != nil)
            }
        }
    }

    @Test func startsALoginShellWithoutACommand() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            let input = directory.url.appendingPathComponent("script")
            try Data("echo from-shell\nexit 3\n".utf8).write(to: input)
            try await GatewayHarness.with(access, in: directory) { gateway in
                let result = try await gateway.ssh([key], extra: ["-T"], stdin: input)
                #expect(result.status == 3, "\(result.stderr)")
                #expect(result.output.contains("from-shell"))
                let exec = try #require(access.snapshot.execs.first)
                #expect(exec.argv.first == "/bin/sh")
                #expect(exec.argv.last?.contains("exec /bin/bash -l") == true)
            }
        }
    }

    @Test func refusesAnUnknownSubsystem() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                let result = try await gateway.ssh(
                    [key], extra: ["-s"], command: "no-such-subsystem", timeout: .seconds(20))
                #expect(result.status != 0)
                #expect(result.elapsed < .seconds(15))
                #expect(access.snapshot.execs.isEmpty)
            }
        }
    }

    @Test func closesPortForwardingChannels() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                // -W opens a direct-tcpip channel; it must end promptly rather than hang.
                let result = try await gateway.ssh([key], extra: ["-W", "127.0.0.1:9"], timeout: .seconds(20))
                #expect(result.elapsed < .seconds(15))
                #expect(access.snapshot.execs.isEmpty)
            }
        }
    }
}
