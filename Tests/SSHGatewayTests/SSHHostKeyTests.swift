import Foundation
import SSHGateway
import Testing

@Suite(.timeLimit(.minutes(3)))
struct SSHHostKeyTests {
    @Test func survivesItsStringForm() throws {
        let key = SSHHostKey.generate()
        let restored = try SSHHostKey(encoded: key.encoded)
        #expect(restored.fingerprint == key.fingerprint)
        #expect(restored.publicKeyBlob == key.publicKeyBlob)
        #expect(key.fingerprint.hasPrefix("SHA256:"))
        #expect(!key.fingerprint.hasSuffix("="))
        #expect(SSHHostKey.generate().fingerprint != key.fingerprint)
    }

    @Test(arguments: ["", "not base64!", Data(repeating: 1, count: 31).base64EncodedString()])
    func rejectsWhatIsNotAKey(encoded: String) {
        #expect(throws: SSHHostKey.DecodingError.invalidEncoding) { try SSHHostKey(encoded: encoded) }
    }

    @Test(arguments: [ClientKey.KeyType.ed25519, .ecdsa, .rsa])
    func fingerprintsLikeSSHKeygen(type: ClientKey.KeyType) async throws {
        try await TestDirectory.with { directory in
            let key = try await ClientKey.generate(type, named: "key", in: directory)
            let listed = try await RunningCommand.run(
                "/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", key.path + ".pub"], in: directory.url)
            let fingerprint = listed.output.split(separator: " ").dropFirst().first.map(String.init)
            #expect(SSHKeyFingerprint.sha256(blob: key.blob) == fingerprint)
        }
    }

    @Test
    func publicKeyLineIsWhatSSHKeygenReads() async throws {
        try await TestDirectory.with { directory in
            let key = SSHHostKey.generate()
            let file = directory.url.appendingPathComponent("host.pub")
            try Data((key.openSSHPublicKey + "\n").utf8).write(to: file)
            let listed = try await RunningCommand.run(
                "/usr/bin/ssh-keygen", ["-l", "-f", file.path], in: directory.url)
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.output.contains(key.fingerprint))
        }
    }

    /// What a client pins in known_hosts stays the same when the gateway restarts with the stored key.
    @Test
    func servesTheSameFingerprintAfterARestart() async throws {
        try await TestDirectory.with { directory in
            let stored = SSHHostKey.generate().encoded
            let access = FakeShellAccess(keys: [:])
            var seen: [String] = []
            for _ in 0..<2 {
                let hostKey = try SSHHostKey(encoded: stored)
                let fingerprint = try await GatewayHarness.with(access, in: directory, hostKey: hostKey) { gateway in
                    let scanned = try await RunningCommand.run(
                        "/usr/bin/ssh-keyscan", ["-t", "ed25519", "-p", "\(gateway.port)", "127.0.0.1"],
                        in: directory.url)
                    let knownHosts = directory.url.appendingPathComponent("known_hosts")
                    try scanned.stdout.write(to: knownHosts)
                    let listed = try await RunningCommand.run(
                        "/usr/bin/ssh-keygen", ["-l", "-f", knownHosts.path], in: directory.url)
                    return listed.output.split(separator: " ").dropFirst().first.map(String.init)
                }
                seen.append(try #require(fingerprint))
            }
            #expect(seen == [try SSHHostKey(encoded: stored).fingerprint, try SSHHostKey(encoded: stored).fingerprint])
        }
    }
}
