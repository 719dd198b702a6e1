import ArgumentParser
import Foundation
import GantryOpenAPI
import Testing

@testable import GantryCLI

@Suite struct SSHKeyCommandsTests {
    @Test func addTakesAnOptionalPathAndName() throws {
        let plain = try SSHKeyAddCommand.parse([])
        #expect(plain.path == nil)
        #expect(plain.name == nil)
        let named = try SSHKeyAddCommand.parse(["~/.ssh/work.pub", "--name", "work", "--json"])
        #expect(named.path == "~/.ssh/work.pub")
        #expect(named.name == "work")
        #expect(named.options.json)
        #expect(try SSHKeyAddCommand.parse(["-"]).path == "-")
        #expect(throws: (any Error).self) { try SSHKeyAddCommand.parse(["a.pub", "b.pub"]) }
        #expect(throws: (any Error).self) { try SSHKeyAddCommand.parse(["--name"]) }
    }

    @Test func subcommandsAndAliasesAreReachable() throws {
        #expect(try SSHKeysCommand.parseAsRoot(["add"]) is SSHKeyAddCommand)
        #expect(try SSHKeysCommand.parseAsRoot(["list", "--json"]) is SSHKeysListCommand)
        #expect(try SSHKeysCommand.parseAsRoot(["ls"]) is SSHKeysListCommand)
        #expect(try SSHKeysCommand.parseAsRoot(["rm", "work"]) is SSHKeyRemoveCommand)
        #expect(try SSHKeysCommand.parseAsRoot(["delete", "work"]) is SSHKeyRemoveCommand)
        #expect(throws: (any Error).self) { try SSHKeysCommand.parseAsRoot(["rm"]) }
        #expect(throws: (any Error).self) { try SSHKeysCommand.parseAsRoot(["rm", "a", "b"]) }
    }
}

@Suite struct SSHKeyReferenceTests {
    static let added = Date(timeIntervalSince1970: 1_735_689_600)

    let laptop = Components.Schemas.SSHKey(
        id: "1a2b3c4d-0000-4000-8000-000000000001", name: "laptop", _type: "ssh-ed25519",
        fingerprint: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", publicKey: "ssh-ed25519 AAAA laptop",
        createdAt: added, lastUsedAt: added.addingTimeInterval(3600))
    let desk = Components.Schemas.SSHKey(
        id: "1a2b3c4e-0000-4000-8000-000000000002", name: "desk", _type: "ecdsa-sha2-nistp256",
        fingerprint: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", publicKey: "ecdsa-sha2-nistp256 AAAA desk",
        createdAt: added)

    @Test func resolvesByIDPrefixNameOrFingerprint() throws {
        let keys = [laptop, desk]
        #expect(try SSHKeyReference.resolve(laptop.id.uppercased(), among: keys) == laptop)
        #expect(try SSHKeyReference.resolve("1a2b3c4e", among: keys) == desk)
        #expect(try SSHKeyReference.resolve("desk", among: keys) == desk)
        #expect(try SSHKeyReference.resolve(laptop.fingerprint, among: keys) == laptop)
        #expect(try SSHKeyReference.resolve("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", among: keys) == desk)
    }

    @Test func unknownAmbiguousAndEmptyReferencesFail() {
        var twin = desk
        twin.id = "1a2b3c4e-ffff-4000-8000-000000000003"
        #expect(throws: CLIError.self) { try SSHKeyReference.resolve("desk", among: [desk, twin]) }
        #expect(throws: CLIError.self) { try SSHKeyReference.resolve("1a2b3c4e", among: [desk, twin]) }
        // Seven characters are too few to be taken as an ID prefix.
        #expect(throws: CLIError.self) { try SSHKeyReference.resolve("1a2b3c4", among: [laptop]) }
        #expect(throws: CLIError.self) {
            try SSHKeyReference.resolve("7f0e0c0a-0000-4000-8000-000000000009", among: [laptop])
        }
        #expect(throws: CLIError.self) { try SSHKeyReference.resolve(" ", among: [laptop]) }
    }

    @Test func tableShowsFingerprintsAndWhenKeysWereUsed() {
        let now = Self.added.addingTimeInterval(2 * 86400)
        #expect(
            SSHKeyRendering.table([laptop, desk], now: now) == """
                ID         NAME     TYPE                  FINGERPRINT                                          ADDED    LAST USED
                1a2b3c4d   laptop   ssh-ed25519           SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s   2d ago   1d ago
                1a2b3c4e   desk     ecdsa-sha2-nistp256   SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU   2d ago   never

                """)
        #expect(
            SSHKeyRendering.added(laptop)
                == "Added SSH key laptop (1a2b3c4d)\nssh-ed25519 SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s\n")
    }
}
