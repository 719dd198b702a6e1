import Foundation

/// One `authorized_keys` line, checked for shape: a supported type, base64 key data whose
/// embedded type matches, and an optional comment.
public struct SSHPublicKey: Sendable, Equatable {
    /// Key types the gateway can verify (swift-nio-ssh implements Ed25519 and ECDSA).
    public static let supportedTypes: Set<String> = [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
    ]

    public var type: String
    /// The key in SSH wire format.
    public var blob: [UInt8]
    public var comment: String?

    /// `type base64`, without the comment: how keys are stored and compared.
    public var normalized: String { "\(type) \(Data(blob).base64EncodedString())" }

    public static func parse(_ line: String) throws(GantryError) -> SSHPublicKey {
        let fields = line.trimmingCharacters(in: .whitespacesAndNewlines).split(
            maxSplits: 2, whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 2 else {
            throw .invalid("public_key must be one authorized_keys line such as \"ssh-ed25519 AAAA… you@host\"")
        }
        let type = String(fields[0])
        if type == "ssh-rsa" || type.hasPrefix("rsa-") || type == "ssh-dss" {
            throw .invalid(
                "\(type) keys are not supported by the SSH gateway; use an Ed25519 key (ssh-keygen -t ed25519) or ECDSA"
            )
        }
        guard supportedTypes.contains(type) else {
            throw .invalid("unsupported key type \"\(type)\"; use ssh-ed25519 or ecdsa-sha2-nistp256/384/521")
        }
        guard let data = Data(base64Encoded: String(fields[1])), !data.isEmpty else {
            throw .invalid("public_key's key data is not valid base64")
        }
        let blob = [UInt8](data)
        guard let embedded = leadingString(blob), embedded == type else {
            throw .invalid("public_key's key data does not hold a \(type) key")
        }
        let comment = fields.count > 2 ? String(fields[2]).trimmingCharacters(in: .whitespaces) : nil
        return SSHPublicKey(type: type, blob: blob, comment: comment?.isEmpty == true ? nil : comment)
    }

    /// The first SSH `string` of a wire blob: a 4-byte big-endian length and that many bytes.
    static func leadingString(_ blob: [UInt8]) -> String? {
        guard blob.count >= 4 else { return nil }
        let length = blob[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length <= 64, blob.count >= 4 + length else { return nil }
        return String(bytes: blob[4..<(4 + length)], encoding: .ascii)
    }
}
