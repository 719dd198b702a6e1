import Foundation
import Testing

@testable import GantryCLI

@Suite struct SSHPublicKeyFileTests {
    static let ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop"
    static let ecdsa = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY= alice@desk"

    /// A fresh home directory with `.ssh/` holding `files`; the test removes it with `defer`.
    private func home(with files: [String: String]) throws -> URL {
        let home = FileManager.default.temporaryDirectory
            .appendingPathComponent("gantry-ssh-tests-\(UUID().uuidString)", isDirectory: true)
        let ssh = home.appendingPathComponent(".ssh", isDirectory: true)
        try FileManager.default.createDirectory(at: ssh, withIntermediateDirectories: true)
        for (name, contents) in files {
            try Data(contents.utf8).write(to: ssh.appendingPathComponent(name))
        }
        return home
    }

    @Test func ed25519IsPreferredOverECDSA() throws {
        let home = try home(with: ["id_ed25519.pub": Self.ed25519 + "\n", "id_ecdsa.pub": Self.ecdsa + "\n"])
        defer { try? FileManager.default.removeItem(at: home) }
        let source = try SSHPublicKeyFile.source(for: nil, home: home.path)
        #expect(source == .file(home.appendingPathComponent(".ssh/id_ed25519.pub").path))
        #expect(try SSHPublicKeyFile.read(source) == Self.ed25519)
    }

    @Test func ecdsaIsUsedWhenThereIsNoEd25519Key() throws {
        let home = try home(with: ["id_ecdsa.pub": Self.ecdsa, "id_rsa.pub": "ssh-rsa AAAAB3Nza rsa"])
        defer { try? FileManager.default.removeItem(at: home) }
        let source = try SSHPublicKeyFile.source(for: nil, home: home.path)
        #expect(try SSHPublicKeyFile.read(source) == Self.ecdsa)
    }

    @Test func noDefaultKeyNamesTheFilesLookedFor() throws {
        let home = try home(with: ["id_rsa.pub": "ssh-rsa AAAAB3Nza rsa"])
        defer { try? FileManager.default.removeItem(at: home) }
        #expect {
            try SSHPublicKeyFile.source(for: nil, home: home.path)
        } throws: { error in
            guard case .invalidInput(let message) = error as? CLIError else { return false }
            return message.contains(".ssh/id_ed25519.pub") && message.contains(".ssh/id_ecdsa.pub")
                && message.contains("ssh-keygen -t ed25519")
        }
    }

    @Test func explicitPathsDashAndTildeAreHonoured() throws {
        let home = try home(with: ["work.pub": "# a comment\n\n  \(Self.ecdsa)  \n"])
        defer { try? FileManager.default.removeItem(at: home) }
        #expect(try SSHPublicKeyFile.source(for: "-", home: home.path) == .stdin)
        let tilde = try SSHPublicKeyFile.source(for: "~/.ssh/work.pub", home: home.path)
        #expect(tilde == .file(home.appendingPathComponent(".ssh/work.pub").path))
        #expect(try SSHPublicKeyFile.read(tilde) == Self.ecdsa)
        #expect(try SSHPublicKeyFile.source(for: "/elsewhere/k.pub", home: home.path) == .file("/elsewhere/k.pub"))
        #expect(try SSHPublicKeyFile.read(.stdin, readStdin: { Self.ed25519 }) == Self.ed25519)
    }

    @Test func homeComesFromTheEnvironment() {
        #expect(SSHPublicKeyFile.home(environment: ["HOME": "/home/alice"]) == "/home/alice")
        #expect(!SSHPublicKeyFile.home(environment: [:]).isEmpty)
        #expect(
            SSHPublicKeyFile.defaultPaths(home: "/home/alice")
                == ["/home/alice/.ssh/id_ed25519.pub", "/home/alice/.ssh/id_ecdsa.pub"])
    }

    @Test func privateKeysAreRefusedWithAHint() throws {
        let home = try home(with: [
            "id_ed25519": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n"
        ])
        defer { try? FileManager.default.removeItem(at: home) }
        let path = home.appendingPathComponent(".ssh/id_ed25519").path
        #expect(throws: CLIError.invalidInput("\(path) holds a private key: use the public key, \(path).pub")) {
            try SSHPublicKeyFile.read(.file(path))
        }
    }

    @Test func missingEmptyAndMultiKeyFilesAreErrors() throws {
        let home = try home(with: ["empty.pub": "\n# nothing\n", "many.pub": Self.ed25519 + "\n" + Self.ecdsa])
        defer { try? FileManager.default.removeItem(at: home) }
        let ssh = home.appendingPathComponent(".ssh")
        let missing = ssh.appendingPathComponent("missing.pub").path
        #expect(throws: CLIError.invalidInput("cannot read \(missing): no such file")) {
            try SSHPublicKeyFile.read(.file(missing))
        }
        #expect(throws: CLIError.self) {
            try SSHPublicKeyFile.read(.file(ssh.appendingPathComponent("empty.pub").path))
        }
        #expect(throws: CLIError.self) { try SSHPublicKeyFile.read(.file(ssh.appendingPathComponent("many.pub").path)) }
        #expect(throws: CLIError.self) { try SSHPublicKeyFile.read(.stdin, readStdin: { "not-a-key" }) }
    }
}
