import Foundation
import GantryTestSupport
import NIOCore
import NIOPosix
import Testing

@testable import SSHGateway

/// Connections that have not signed in are limited the way OpenSSH's `MaxStartups` and
/// `PerSourcePenalties` limit them, so idle TCP connections cannot lock users out.
@Suite(.timeLimit(.minutes(3)))
struct SSHGatewayStartupLimitsTests {
    // MARK: The rule

    @Test func theRuleRefusesBySourceByTotalAndAtRandomInBetween() {
        let limits = SSHStartupLimits(perSource: 3, start: 10, rate: 30, full: 20)
        #expect(limits.refusal(unauthenticated: 0, fromSource: 0, penalised: false, roll: 0) == nil)
        #expect(limits.refusal(unauthenticated: 5, fromSource: 3, penalised: false, roll: 99) == .perSource)
        #expect(limits.refusal(unauthenticated: 0, fromSource: 0, penalised: true, roll: 99) == .penalised)
        #expect(limits.refusal(unauthenticated: 20, fromSource: 0, penalised: false, roll: 99) == .full)
        #expect(limits.refusal(unauthenticated: 9, fromSource: 0, penalised: false, roll: 0) == nil)
        // At start, 30 % are dropped; halfway to full, 65 %.
        #expect(limits.refusal(unauthenticated: 10, fromSource: 0, penalised: false, roll: 29) == .droppedEarly)
        #expect(limits.refusal(unauthenticated: 10, fromSource: 0, penalised: false, roll: 30) == nil)
        #expect(limits.refusal(unauthenticated: 15, fromSource: 0, penalised: false, roll: 64) == .droppedEarly)
        #expect(limits.refusal(unauthenticated: 15, fromSource: 0, penalised: false, roll: 65) == nil)
        #expect(limits.refusal(unauthenticated: 19, fromSource: 0, penalised: false, roll: 92) == .droppedEarly)
        #expect(limits.refusal(unauthenticated: 19, fromSource: 0, penalised: false, roll: 93) == nil)
        // Nonsense settings stay safe: full below start means full.
        let odd = SSHStartupLimits(perSource: 0, start: 50, rate: 200, full: 5)
        #expect(odd.refusal(unauthenticated: 5, fromSource: 0, penalised: false, roll: 0) == .full)
        #expect(odd.refusal(unauthenticated: 0, fromSource: 1, penalised: false, roll: 0) == .perSource)
    }

    // MARK: On the wire

    /// One address holds at most `perSource` connections that have not signed in; the next is
    /// closed at once, while a user from another address signs in and runs a command.
    @Test func oneAddressCannotHoldMoreThanItsShare() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(
                access, in: directory,
                configure: {
                    $0.startups = SSHStartupLimits(perSource: 3)
                    $0.versionExchangeTimeout = .seconds(60)
                }
            ) { gateway in
                var held: [any Channel] = []
                for _ in 0..<3 { held.append(try await Self.connect(to: gateway.port, from: "127.0.0.2")) }
                #expect(try await eventually { gateway.metrics.snapshot.opened == 3 })
                let extra = try await Self.connect(to: gateway.port, from: "127.0.0.2")
                #expect(try await Self.closesSoon(extra), "the fourth from one address is refused")
                #expect(gateway.metrics.snapshot.connectionsRefused == ["source_limit"])
                #expect(
                    gateway.logs.first(
                        "ssh connection refused: too many connections from this address have not signed in") != nil)
                for channel in held { #expect(channel.isActive, "the first three stay") }

                let signedIn = try await gateway.ssh([key], command: "echo hello", timeout: .seconds(20))
                #expect(signedIn.status == 0, "\(signedIn.stderr)")
                #expect(signedIn.output == "hello\n")
                for channel in held { try await channel.close() }
            }
        }
    }

    /// An address whose connection ran out the time to speak is refused for a while; others are not.
    @Test func anAddressThatLetItsConnectionTimeOutIsPenalised() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(
                access, in: directory,
                configure: {
                    $0.versionExchangeTimeout = .milliseconds(300)
                    $0.startups = SSHStartupLimits(graceExceededPenalty: .seconds(60))
                }
            ) { gateway in
                let silent = try await Self.connect(to: gateway.port, from: "127.0.0.3")
                let started = ContinuousClock.now
                try await silent.closeFuture.get()
                #expect(ContinuousClock.now - started < .seconds(5))
                #expect(try await eventually { gateway.logs.first("ssh connection sent nothing, closing") != nil })
                #expect(try await eventually { gateway.metrics.snapshot.closed == 1 })

                let again = try await Self.connect(to: gateway.port, from: "127.0.0.3")
                #expect(try await Self.closesSoon(again))
                #expect(gateway.metrics.snapshot.connectionsRefused == ["source_penalised"])

                let signedIn = try await gateway.ssh([key], command: "echo hello", timeout: .seconds(20))
                #expect(signedIn.status == 0, "\(signedIn.stderr)")
            }
        }
    }

    /// Past `full` connections that have not signed in, new ones are refused; a user who signed
    /// in before does not count against it and keeps working.
    @Test func signedInUsersKeepTheirRoomWhenStartupsAreFull() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob]])
            try await GatewayHarness.with(
                access, in: directory,
                configure: {
                    $0.startups = SSHStartupLimits(perSource: 10, start: 2, rate: 100, full: 2)
                    $0.versionExchangeTimeout = .seconds(60)
                }
            ) { gateway in
                let session = try RunningCommand(
                    "/usr/bin/ssh", gateway.sshArguments([key], command: "sleep 30; echo done"), in: directory.url)
                #expect(try await eventually { !access.snapshot.sessions.isEmpty })
                let first = try await Self.connect(to: gateway.port, from: "127.0.0.4")
                let second = try await Self.connect(to: gateway.port, from: "127.0.0.5")
                #expect(try await eventually { gateway.metrics.snapshot.opened == 3 })
                let third = try await Self.connect(to: gateway.port, from: "127.0.0.6")
                #expect(try await Self.closesSoon(third))
                #expect(gateway.metrics.snapshot.connectionsRefused == ["startups_full"])
                #expect(first.isActive && second.isActive)
                #expect(access.snapshot.sessions.first?.closeCount == 0, "the signed-in session goes on")
                session.terminate()
                _ = try await session.result()
                try await first.close()
                try await second.close()
            }
        }
    }

    // MARK: Helpers

    /// A bare TCP connection from `source` (any 127.0.0.0/8 address is this host's loopback).
    static func connect(to port: Int, from source: String) async throws -> any Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: try SocketAddress(ipAddress: source, port: 0))
            .connect(host: "127.0.0.1", port: port).get()
    }

    /// Whether the server closes `channel` within a few seconds (a refusal), rather than holding it.
    static func closesSoon(_ channel: any Channel) async throws -> Bool {
        try await eventually(timeout: .seconds(5), every: .milliseconds(20)) { !channel.isActive }
    }
}
