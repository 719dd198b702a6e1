import Foundation

/// A client key pair made with `ssh-keygen`, and its public blob as the services would store it.
struct ClientKey: Sendable {
    enum KeyType: String, Sendable {
        case ed25519, ecdsa, rsa
    }

    struct KeygenFailed: Error {
        var message: String
    }

    let path: String
    let publicKeyLine: String
    let blob: [UInt8]

    static func generate(_ type: KeyType, named name: String, in directory: TestDirectory) async throws -> ClientKey {
        let path = directory.path(name)
        var arguments = ["-q", "-t", type.rawValue, "-N", "", "-C", name, "-f", path]
        if type == .rsa {
            arguments += ["-b", "2048"]
        }
        let result = try await RunningCommand.run("/usr/bin/ssh-keygen", arguments, in: directory.url)
        guard result.status == 0 else {
            throw KeygenFailed(message: result.stderr)
        }
        let line = try String(contentsOfFile: path + ".pub", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let fields = line.split(separator: " ")
        guard fields.count >= 2, let blob = Data(base64Encoded: String(fields[1])) else {
            throw KeygenFailed(message: "unreadable public key \(line)")
        }
        return ClientKey(path: path, publicKeyLine: line, blob: Array(blob))
    }
}
