import Foundation
import Logging
import NIOCore
import SSHGateway
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A gateway on an ephemeral loopback port, and the OpenSSH client pointed at it.
struct GatewayHarness: Sendable {

    let gateway: SSHGateway
    let port: Int
    let directory: TestDirectory
    let logs: RecordingLogHandler.Store
    let metrics: RecordingMetrics

    /// Starts a gateway for `access`, runs `body`, and shuts the gateway down again.
    static func with<T>(
        _ access: FakeShellAccess, in directory: TestDirectory, hostKey: SSHHostKey = .generate(),
        configure: (inout SSHGatewayConfiguration) -> Void = { _ in },
        _ body: (GatewayHarness) async throws -> T
    ) async throws -> T {
        // The fake's pipes: a process that exits early must fail the write, not kill the tests.
        signal(SIGPIPE, SIG_IGN)
        var configuration = SSHGatewayConfiguration(host: "127.0.0.1", port: 0, hostKey: hostKey)
        configure(&configuration)
        let logs = RecordingLogHandler.Store()
        let metrics = RecordingMetrics()
        let gateway = SSHGateway(
            configuration: configuration, access: access, metrics: metrics,
            logger: Logger(label: "ssh-gateway-test") { _ in RecordingLogHandler(store: logs) })
        let address = try await gateway.start()
        let harness = GatewayHarness(
            gateway: gateway, port: try #require(address.port), directory: directory, logs: logs, metrics: metrics)
        do {
            let result = try await body(harness)
            await gateway.shutdown()
            return result
        } catch {
            await gateway.shutdown()
            throw error
        }
    }

    /// `ssh` arguments for `user@127.0.0.1` on the gateway, one `-i` per key, then `extra`, then
    /// the remote command if any.
    func sshArguments(
        _ keys: [ClientKey], user: String = "alice", extra: [String] = [], command: String? = nil
    ) -> [String] {
        var arguments = [
            "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "PasswordAuthentication=no",
            "-o", "LogLevel=ERROR", "-p", "\(port)",
        ]
        for key in keys {
            arguments += ["-i", key.path]
        }
        arguments += extra
        arguments.append("\(user)@127.0.0.1")
        if let command {
            arguments.append(command)
        }
        return arguments
    }

    func ssh(
        _ keys: [ClientKey], user: String = "alice", extra: [String] = [], command: String? = nil, stdin: URL? = nil,
        environment: [String: String] = [:], timeout: Duration = .seconds(60)
    ) async throws -> CommandResult {
        try await RunningCommand.run(
            "/usr/bin/ssh", sshArguments(keys, user: user, extra: extra, command: command), stdin: stdin,
            environment: environment, in: directory.url, timeout: timeout)
    }

    /// Options shared by `sftp` and `scp` (which take the port as `-P`).
    func fileTransferOptions(_ key: ClientKey) -> [String] {
        [
            "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-i", key.path, "-P",
            "\(port)",
        ]
    }
}
