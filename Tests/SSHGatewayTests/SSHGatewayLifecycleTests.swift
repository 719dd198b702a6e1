import Foundation
import GantryServices
import GantryTestSupport
import NIOCore
import NIOPosix
import SSHGateway
import Testing

@Suite(.timeLimit(.minutes(3)))
struct SSHGatewayLifecycleTests {
    @Test func closesTheExecSessionWhenTheClientGoesAway() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                let client = try RunningCommand(
                    "/usr/bin/ssh", gateway.sshArguments([key], command: "sleep 60"), in: directory.url)
                #expect(try await eventually { !access.snapshot.sessions.isEmpty })
                client.terminate()
                _ = try await client.result()
                #expect(try await eventually { access.snapshot.sessions.first?.closeCount == 1 })
            }
        }
    }

    /// A deactivated user's open connection is closed within the recheck interval, and the
    /// program they were running with it; other users stay connected.
    @Test func closesTheConnectionsOfAUserWhoLostAccess() async throws {
        try await TestDirectory.with { directory in
            let alice = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let bob = try await ClientKey.generate(.ed25519, named: "bob", in: directory)
            let access = FakeShellAccess(keys: ["alice": [alice.blob], "bob": [bob.blob]])
            try await GatewayHarness.with(
                access, in: directory, configure: { $0.accessRecheckInterval = .milliseconds(200) }
            ) { gateway in
                let aliceClient = try RunningCommand(
                    "/usr/bin/ssh", gateway.sshArguments([alice], command: "sleep 60"), in: directory.url)
                let bobClient = try RunningCommand(
                    "/usr/bin/ssh", gateway.sshArguments([bob], user: "bob", command: "sleep 3"), in: directory.url)
                #expect(try await eventually { access.snapshot.sessions.count == 2 })
                let revokedAt = ContinuousClock.now
                access.revoke("alice")
                let ended = try await aliceClient.result()
                #expect(ended.status != 0)
                #expect(ContinuousClock.now - revokedAt < .seconds(5))
                #expect(try await bobClient.result().status == 0)
                #expect(try await eventually { access.snapshot.sessions.allSatisfy { $0.closeCount == 1 } })
            }
        }
    }

    @Test func endsTheChannelWhenTheContainerVanishes() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]], behavior: .vanish)
            try await GatewayHarness.with(access, in: directory) { gateway in
                let result = try await gateway.ssh([key], command: "sleep 60", timeout: .seconds(30))
                #expect(result.status == 255)
                #expect(result.output == "started\n")
                #expect(result.elapsed < .seconds(10))
                #expect(try await eventually { access.snapshot.vanishing.first?.closeCount == 1 })
            }
        }
    }

    @Test func reportsAProcessThatCouldNotStart() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]], behavior: .fail)
            try await GatewayHarness.with(access, in: directory) { gateway in
                let result = try await gateway.ssh([key], command: "echo hello", timeout: .seconds(30))
                #expect(result.status != 0)
                #expect(result.stderr.contains("could not start a process in alice-gpu"))
                #expect(result.elapsed < .seconds(10))
            }
        }
    }

    @Test func keepsTheTargetAliveWhileConnected() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(
                access, in: directory, configure: { $0.targetKeepAliveInterval = .milliseconds(200) }
            ) { gateway in
                let result = try await gateway.ssh([key], command: "sleep 1.2")
                #expect(result.status == 0)
                let calls = access.snapshot.keepAlives
                #expect(calls.count >= 3)
                #expect(calls.allSatisfy { $0 == FakeShellAccess.target })
                // And no more once the connection has closed.
                try await Task.sleep(for: .milliseconds(500))
                let settled = access.snapshot.keepAlives.count
                try await Task.sleep(for: .milliseconds(600))
                #expect(access.snapshot.keepAlives.count == settled)
            }
        }
    }

    @Test func closesIdleConnections() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            // 4 s: long enough that a loaded machine's scheduling gaps between the chatty command's
            // lines (every 0.5 s) never look like idleness.
            try await GatewayHarness.with(access, in: directory, configure: { $0.idleTimeout = .seconds(4) }) {
                gateway in
                let client = try RunningCommand(
                    "/usr/bin/ssh", gateway.sshArguments([key], command: "sleep 30"), in: directory.url,
                    timeout: .seconds(40))
                #expect(try await eventually { !access.snapshot.sessions.isEmpty })
                let started = ContinuousClock.now
                let result = try await client.result()
                #expect(result.status == 255)
                #expect(ContinuousClock.now - started < .seconds(20))
                #expect(try await eventually { access.snapshot.sessions.first?.closeCount == 1 })
                #expect(gateway.logs.first("ssh connection idle, closing") != nil)

                // Output counts as activity: a chatty command outlives the timeout.
                let chatty = try await gateway.ssh(
                    [key], command: "for i in 1 2 3 4 5 6; do echo $i; sleep 0.5; done", timeout: .seconds(40))
                #expect(chatty.status == 0)
                #expect(chatty.output == "1\n2\n3\n4\n5\n6\n")
            }
        }
    }

    @Test func shutdownEndsSessionsAndStopsListening() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                let client = try RunningCommand(
                    "/usr/bin/ssh", gateway.sshArguments([key], command: "sleep 60"), in: directory.url)
                #expect(try await eventually { !access.snapshot.sessions.isEmpty })
                await gateway.gateway.shutdown()
                let result = try await client.result()
                #expect(result.status == 255)
                #expect(result.elapsed < .seconds(30))
                #expect(try await eventually { access.snapshot.sessions.first?.closeCount == 1 })
                #expect(gateway.gateway.localAddress == nil)
                let refused = try await gateway.ssh([key], command: "echo hello", timeout: .seconds(20))
                #expect(refused.status == 255)
            }
        }
    }

    @Test func turnsAwayConnectionsBeyondTheLimit() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(access, in: directory, configure: { $0.maxConnections = 1 }) { gateway in
                let first = try RunningCommand(
                    "/usr/bin/ssh", gateway.sshArguments([key], command: "sleep 60"), in: directory.url)
                #expect(try await eventually { !access.snapshot.sessions.isEmpty })
                let second = try await gateway.ssh([key], command: "echo hello", timeout: .seconds(20))
                #expect(second.status == 255)
                #expect(access.snapshot.execs.count == 1)
                #expect(gateway.logs.first("ssh connection refused: too many connections") != nil)
                first.terminate()
                _ = try await first.result()
                // The slot frees up once the first connection has closed.
                #expect(try await eventually { gateway.metrics.snapshot.closed == 1 })
                let third = try await gateway.ssh([key], command: "echo hello", timeout: .seconds(20))
                #expect(third.status == 0, "\(third.stderr)")
            }
        }
    }

    @Test func dropsConnectionsThatNeverSignIn() async throws {
        try await TestDirectory.with { directory in
            let access = FakeShellAccess(keys: [:])
            try await GatewayHarness.with(access, in: directory, configure: { $0.loginGraceTime = .seconds(1) }) {
                gateway in
                // A bare TCP connection that never says a word.
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: gateway.port).get()
                let started = ContinuousClock.now
                try await channel.closeFuture.get()
                #expect(ContinuousClock.now - started < .seconds(10))
                #expect(try await eventually { gateway.logs.first("ssh connection sent nothing, closing") != nil })

                // One that sends its version line and then stalls runs out the login grace.
                // (From another loopback address: the first one's address is now penalised.)
                let stalled = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .bind(to: try SocketAddress(ipAddress: "127.0.0.7", port: 0))
                    .connect(host: "127.0.0.1", port: gateway.port).get()
                try await stalled.writeAndFlush(ByteBuffer(string: "SSH-2.0-Stalled_1.0\r\n"))
                try await stalled.closeFuture.get()
                #expect(try await eventually { gateway.logs.first("ssh login timed out") != nil })
            }
        }
    }
}
