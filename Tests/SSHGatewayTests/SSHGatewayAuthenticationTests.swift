import Foundation
import GantryServices
import Logging
import SSHGateway
import Testing

@Suite(.timeLimit(.minutes(3)))
struct SSHGatewayAuthenticationTests {
    @Test func refusesAnUnregisteredKey() async throws {
        try await TestDirectory.with { directory in
            let registered = try await ClientKey.generate(.ed25519, named: "registered", in: directory)
            let stranger = try await ClientKey.generate(.ed25519, named: "stranger", in: directory)
            let access = FakeShellAccess(keys: ["alice": [registered.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                let result = try await gateway.ssh([stranger], command: "echo hello")
                #expect(result.status == 255)
                #expect(result.stderr.contains("Permission denied"))
                #expect(access.snapshot.execs.isEmpty)
                // The refused key was proven by signature before the services were asked about it.
                #expect(access.snapshot.authentications.map(\.blob) == [stranger.blob])
                #expect(gateway.metrics.snapshot.refused == 1)
                let refused = try #require(gateway.logs.first("ssh login refused"))
                #expect(refused.metadata["ssh.user"] == "alice")
                #expect(refused.metadata["ssh.key_fingerprint"] == "\(SSHKeyFingerprint.sha256(blob: stranger.blob))")
                #expect(refused.metadata["ssh.remote"] != nil)
            }
        }
    }

    @Test func refusesAnotherUsersKey() async throws {
        try await TestDirectory.with { directory in
            let alice = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let bob = try await ClientKey.generate(.ed25519, named: "bob", in: directory)
            let access = FakeShellAccess(keys: ["alice": [alice.blob], "bob": [bob.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                let asAlice = try await gateway.ssh([bob], user: "alice", command: "echo hello")
                #expect(asAlice.status == 255)
                #expect(asAlice.stderr.contains("Permission denied"))
                let asBob = try await gateway.ssh([bob], user: "bob", command: "echo hello")
                #expect(asBob.status == 0)
                #expect(asBob.output == "hello\n")
            }
        }
    }

    /// nio-ssh 0.15.1 has no RSA. OpenSSH 9.2 does not even offer an RSA key to a server that sends
    /// no `server-sig-algs` (it would have to sign with SHA-1 `ssh-rsa`, which it disables), and when
    /// forced to offer it, nio-ssh answers the unknown algorithm with a plain failure. Either way the
    /// client goes on to its next key.
    @Test(arguments: [false, true])
    func movesPastAnRSAKeyToTheNextOne(forceRSAOffer: Bool) async throws {
        try await TestDirectory.with { directory in
            let rsa = try await ClientKey.generate(.rsa, named: "alice-rsa", in: directory)
            let ed25519 = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [rsa.blob, ed25519.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                let extra = forceRSAOffer ? ["-o", "PubkeyAcceptedAlgorithms=+ssh-rsa"] : []
                let result = try await gateway.ssh([rsa, ed25519], extra: extra, command: "echo hello")
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.output == "hello\n")
                #expect(access.snapshot.authentications.map(\.blob) == [ed25519.blob])
            }
        }
    }

    @Test func showsWhyThereIsNowhereToGo() async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(
                keys: ["alice": [key.blob]], resolution: .unavailable(message: "no running session for alice"))
            try await GatewayHarness.with(access, in: directory) { gateway in
                let result = try await gateway.ssh([key], command: "echo hello", timeout: .seconds(30))
                #expect(result.status == 1)
                #expect(result.stderr.contains("no running session for alice"))
                #expect(result.elapsed < .seconds(10))
                #expect(access.snapshot.execs.isEmpty)
                #expect(access.snapshot.keepAlives.isEmpty)

                // The same with a pty, as an interactive `ssh host` would ask.
                let interactive = try await gateway.ssh([key], extra: ["-tt"], timeout: .seconds(30))
                #expect(interactive.status == 1)
                #expect(
                    interactive.output.contains("no running session for alice\r\n")
                        || interactive.stderr.contains("no running session for alice"))
            }
        }
    }
}
