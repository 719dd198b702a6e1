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
        let line = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !line.contains(where: \.isNewline) else {
            throw .invalid("public_key holds more than one line; add one key at a time")
        }
        let fields = line.split(
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
        guard isComplete(blob, type: type) else {
            throw .invalid("public_key's \(type) key data is truncated or malformed")
        }
        let comment = fields.count > 2 ? String(fields[2]).trimmingCharacters(in: .whitespaces) : nil
        if let comment {
            let words = comment.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.contains(where: { word in supportedTypes.contains(String(word)) || word == "ssh-rsa" }) {
                throw .invalid("public_key holds more than one key; add one key at a time")
            }
            guard !comment.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalid("public_key's comment must not contain control characters")
            }
        }
        return SSHPublicKey(type: type, blob: blob, comment: comment?.isEmpty == true ? nil : comment)
    }

    /// The wire blob holds exactly the fields its type has, at their sizes (RFC 8709 for
    /// Ed25519: a 32-byte key; RFC 5656 for ECDSA: the curve's name and an uncompressed point).
    static func isComplete(_ blob: [UInt8], type: String) -> Bool {
        var reader = WireReader(bytes: blob)
        guard reader.string() != nil else { return false }
        switch type {
        case "ssh-ed25519":
            guard reader.string()?.count == 32 else { return false }
        default:
            let curve = type.dropFirst("ecdsa-sha2-".count)
            let pointSize = ["nistp256": 65, "nistp384": 97, "nistp521": 133][String(curve)]
            guard let pointSize, let name = reader.string(), name.elementsEqual(curve.utf8),
                let point = reader.string(), point.count == pointSize, point.first == 0x04
            else { return false }
        }
        return reader.isAtEnd
    }

    /// Reads SSH `string`s (a 4-byte big-endian length, then the bytes) one after another.
    struct WireReader {
        let bytes: [UInt8]
        var offset = 0

        var isAtEnd: Bool { offset == bytes.count }

        mutating func string() -> ArraySlice<UInt8>? {
            guard bytes.count - offset >= 4 else { return nil }
            let length = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard length <= bytes.count - offset - 4 else { return nil }
            defer { offset += 4 + length }
            return bytes[(offset + 4)..<(offset + 4 + length)]
        }
    }

    /// The first SSH `string` of a wire blob: a 4-byte big-endian length and that many bytes.
    static func leadingString(_ blob: [UInt8]) -> String? {
        guard blob.count >= 4 else { return nil }
        let length = blob[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length <= 64, blob.count >= 4 + length else { return nil }
        return String(bytes: blob[4..<(4 + length)], encoding: .ascii)
    }
}
