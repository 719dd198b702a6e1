import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Issue 12's benchmarks against a running `gantry serve`, each beside a baseline from the same
/// run: `/health` p99 while clients send 50 MB bodies and job inputs that make a pattern
/// backtrack (against `/health` p99 on the idle server); the server's RSS 60 s after 100
/// rejected 50 MB requests (against its RSS before); and a legitimate `ssh` login while 1,000
/// idle TCP connections are held (against the same login with none).
struct HostileLoadBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostile", abstract: "Latency, memory and SSH logins under hostile load.")

    @Option(help: "Gantry's base URL.") var server: String
    @Option(help: "The admin's password.") var password: String
    @Option(help: "The server's process id, for its RSS.") var pid: Int32
    @Option(help: "Size of each oversized body, in MB.") var bodyMB = 50
    @Option(help: "Seconds of /health sampling per phase.") var seconds = 10
    @Option(help: "Seconds to wait after the oversized requests before reading RSS again.") var settle = 60
    @Option(help: "The SSH gateway's port (skip the SSH figure when absent).") var sshPort: Int?
    @Option(help: "Private key registered for the admin.") var sshKey: String?
    @Option(help: "Idle connections the attacker holds.") var idleConnections = 1000

    func run() async throws {
        var client = BenchClient(server: server)
        try await client.login(username: "admin", password: password)
        try await registerBacktrackingPlugin(client)

        let idle = try await healthLatencies(for: .seconds(seconds))
        // The attack has its own HTTP client and event loop, so the /health sampler measures the
        // server and not a queue in this process; the body is made once and shared.
        let attacker = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup(numberOfThreads: 1))
        let body = ByteBuffer(repeating: UInt8(ascii: " "), count: bodyMB << 20)
        let (server, signedIn) = (server, client)
        let underAttack = try await withThrowingTaskGroup(of: Void.self) { group in
            let stop = ManagedAtomicFlag()
            for _ in 0..<4 {
                group.addTask {
                    while !stop.isSet { _ = await Self.sendOversizedBody(body, to: server, with: attacker) }
                }
            }
            for _ in 0..<3 {
                group.addTask {
                    while !stop.isSet { await Self.submitBacktrackingInput(signedIn, with: attacker) }
                }
            }
            // Let the attack get going before sampling.
            try await Task.sleep(for: .seconds(1))
            let latencies = try await healthLatencies(for: .seconds(seconds))
            stop.set()
            try await group.waitForAll()
            return latencies
        }
        let idleP99 = idle.p99
        let attackP99 = underAttack.p99
        print(
            String(
                format:
                    "/health under attack (4 clients x %d MB bodies to /api/v1/auth/token, 3 clients submitting backtracking input): p50 %.2f ms, p99 %.2f ms",
                bodyMB, underAttack.p50, attackP99))
        print(
            String(
                format: "  baseline idle server: p50 %.2f ms, p99 %.2f ms   ratio %.2fx (target <= 2x)",
                idle.p50, idleP99, attackP99 / max(idleP99, 0.001)))

        let before = try residentMegabytes()
        for _ in 0..<25 {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { _ = await Self.sendOversizedBody(body, to: server, with: attacker) } }
            }
        }
        let afterBurst = try residentMegabytes()
        try await Task.sleep(for: .seconds(settle))
        let after = try residentMegabytes()
        print(
            String(
                format:
                    "RSS %d s after 100 rejected %d MB requests: %.1f MB (%.1f MB right after)   baseline before: %.1f MB   ratio %.2fx (target <= 1.10)",
                settle, bodyMB, after, afterBurst, before, after / before))

        try await attacker.shutdown()

        if let sshPort, let sshKey {
            try await measureSSHLogin(port: sshPort, key: sshKey)
        }
    }

    // MARK: HTTP

    private func registerBacktrackingPlugin(_ client: BenchClient) async throws {
        let (status, body) = try await client.call(
            .POST, "/api/v1/plugins",
            json: [
                "name": "bench-backtracking", "version": "1", "docker_image_url": "gantry-test/plugin-echo:latest",
                "input_schema": ["type": "object", "properties": ["name": ["type": "string", "pattern": "^(a+)+$"]]],
            ])
        guard status == 201 || status == 409 else {
            throw BenchClient.Failure(description: "registering the plugin failed (\(status)): \(body)")
        }
    }

    /// Sequential GET /health for `duration`.
    private func healthLatencies(for duration: Duration) async throws -> LoadResult {
        var latencies: [Double] = []
        let started = ContinuousClock.now
        while ContinuousClock.now - started < duration {
            let sent = ContinuousClock.now
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: server + "/health"), timeout: .seconds(60))
            _ = try await response.body.collect(upTo: 1 << 20)
            latencies.append(milliseconds(ContinuousClock.now - sent) / 1000)
        }
        return LoadResult(latencies: latencies, seconds: milliseconds(ContinuousClock.now - started) / 1000)
    }

    /// One unauthenticated sign-in with `body`; the status, or nil when the server cut the
    /// upload short (which is what a 413 sent early does).
    private static func sendOversizedBody(_ body: ByteBuffer, to server: String, with client: HTTPClient) async -> Int?
    {
        var request = HTTPClientRequest(url: server + "/api/v1/auth/token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(body)
        do {
            let response = try await client.execute(request, timeout: .seconds(60))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        } catch {
            return nil
        }
    }

    /// A job whose input makes the schema's pattern backtrack exponentially.
    private static func submitBacktrackingInput(_ client: BenchClient, with http: HTTPClient) async {
        let input: [String: Any] = [
            "plugin_name": "bench-backtracking", "input_data": ["name": String(repeating: "a", count: 40) + "b"],
        ]
        _ = try? await client.call(.POST, "/api/v1/jobs", json: input, using: http)
    }

    private func residentMegabytes() throws -> Double {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { throw BenchClient.Failure(description: "no VmRSS for process \(pid)") }
        return kilobytes / 1024
    }

    // MARK: SSH

    private func measureSSHLogin(port: Int, key: String) async throws {
        let idle = median(try (0..<5).map { _ in try sshLogin(port: port, key: key) })
        var held: [any Channel] = []
        for _ in 0..<idleConnections {
            // The attacker's address; the user signs in from 127.0.0.1.
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(to: try SocketAddress(ipAddress: "127.0.0.2", port: 0))
                .connect(host: "127.0.0.1", port: port).get()
            {
                held.append(channel)
            }
        }
        try await Task.sleep(for: .milliseconds(500))
        let stillOpen = held.filter(\.isActive).count
        let attacked = try (0..<5).map { _ in try sshLogin(port: port, key: key) }
        let succeeded = attacked.filter { $0 > 0 }.count
        for channel in held { channel.close(promise: nil) }
        print(
            String(
                format:
                    "ssh login while %d idle connections were opened (%d held open by the gateway, the rest refused): %d/5 succeeded, median %.0f ms",
                idleConnections, stillOpen, succeeded, median(attacked.filter { $0 > 0 })))
        print(String(format: "  baseline login with no idle connections: median %.0f ms", idle))
    }

    /// `ssh … true` as the admin; milliseconds, or -1 when it failed.
    private func sshLogin(port: Int, key: String) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ssh")
        process.arguments = [
            "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=30",
            "-i", key, "-p", "\(port)", "admin@127.0.0.1", "true",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let started = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? milliseconds(ContinuousClock.now - started) : -1
    }

    // MARK: Figures

    private func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

/// A stop signal the attack tasks poll.
final class ManagedAtomicFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
