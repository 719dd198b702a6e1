import Foundation
import Testing

@Suite struct DebugScratchTests {
    @Test func debugRSA() async throws {
        try await TestDirectory.with { directory in
            let rsa = try await ClientKey.generate(.rsa, named: "rsa", in: directory)
            let key = try await ClientKey.generate(.ed25519, named: "alice", in: directory)
            let access = FakeShellAccess(keys: ["alice": [key.blob, rsa.blob]])
            try await GatewayHarness.with(access, in: directory) { gateway in
                for extra in [["-v"], ["-v", "-o", "PubkeyAcceptedAlgorithms=+ssh-rsa"]] {
                    let result = try await gateway.ssh([rsa, key], extra: extra, command: "echo ok", timeout: .seconds(20))
                    print("STATUS", result.status, result.output)
                    print(result.stderr.split(separator: "\n").filter { $0.contains("key") || $0.contains("Authentications") || $0.contains("Authenticated") }.joined(separator: "\n"))
                }
            }
        }
    }
}
