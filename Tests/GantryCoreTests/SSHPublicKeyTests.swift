import GantryCore
import Testing

@Suite struct SSHPublicKeyTests {
    // A real ed25519 public key (generated for this test; the private half was discarded).
    static let ed25519 =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C7okWi0dh2l9GKJl alice@laptop"

    @Test func parsesAnAuthorizedKeysLine() throws {
        let key = try SSHPublicKey.parse(Self.ed25519 + "\n")
        #expect(key.type == "ssh-ed25519")
        #expect(key.comment == "alice@laptop")
        #expect(key.blob.count == 51)
        #expect(key.normalized == "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C7okWi0dh2l9GKJl")
    }

    @Test func refusesWhatTheGatewayCannotUse() {
        let rsa = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 bob@host"
        let mismatched = "ecdsa-sha2-nistp256 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C7okWi0dh2l9GKJl"
        for line in ["", "ssh-ed25519", "ssh-ed25519 not-base64!!", rsa, mismatched, "ssh-foo AAAA"] {
            #expect(throws: GantryError.self, "\(line)") { try SSHPublicKey.parse(line) }
        }
        do {
            _ = try SSHPublicKey.parse(rsa)
        } catch {
            #expect(error.detail.contains("ed25519"))
        }
    }

    static let ecdsa384 =
        "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBJp+Kn6ckN0NV9HWTCB8fUy26jifLDdb9svMwH7T8X3JdBdZemlDwSQybrb+usxIjj6Uyk2efZxniuuFfKjaezeCClTywvhyjSOdkzyQkxGWJ02swvzC5FHqDOxu4xdaCw== carol@box"

    @Test func parsesAnECDSAKey() throws {
        let key = try SSHPublicKey.parse(Self.ecdsa384)
        #expect(key.type == "ecdsa-sha2-nistp384")
        #expect(key.comment == "carol@box")
    }

    /// Key data must hold exactly its type's fields: a cut-off key or one with bytes after it
    /// is refused with a clear 400, not stored to fail at login.
    @Test func refusesTruncatedOrPaddedKeyData() {
        let truncated = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C7okWi0dhw=="
        let padded = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C7okWi0dh2l9GKJlAAAAAXg="
        let cutECDSA = String(Self.ecdsa384.split(separator: " ")[1].dropLast(12))
        for line in [truncated, padded, "ecdsa-sha2-nistp384 \(cutECDSA)="] {
            do {
                _ = try SSHPublicKey.parse(line)
                Issue.record("accepted \(line)")
            } catch {
                #expect(error.kind == .invalidInput)
                #expect(error.detail.contains("truncated") || error.detail.contains("base64"), "\(error.detail)")
            }
        }
    }

    @Test func refusesTwoKeysInOneField() {
        for line in [Self.ed25519 + " " + Self.ecdsa384, Self.ed25519 + "\n" + Self.ecdsa384] {
            do {
                _ = try SSHPublicKey.parse(line)
                Issue.record("accepted two keys")
            } catch {
                #expect(error.detail.contains("one key at a time"), "\(error.detail)")
            }
        }
    }

    @Test func refusesControlCharactersInTheComment() {
        #expect(throws: GantryError.self) { try SSHPublicKey.parse(Self.ed25519 + "\u{0}root") }
        #expect(throws: GantryError.self) { try SSHPublicKey.parse(Self.ed25519 + " evil\u{1B}[2J") }
    }
}
