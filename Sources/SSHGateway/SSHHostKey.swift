import Crypto
import Foundation
import NIOSSH

/// The gateway's ed25519 host key, with the string form the composition root stores in the database.
///
/// Reusing the same string across restarts keeps the fingerprint clients pinned in `known_hosts`.
public struct SSHHostKey: Sendable {
    public enum DecodingError: Error, Equatable {
        /// The string is not base64 of a 32-byte ed25519 private key.
        case invalidEncoding
    }

    private let key: Curve25519.Signing.PrivateKey

    private init(key: Curve25519.Signing.PrivateKey) {
        self.key = key
    }

    /// A fresh random key.
    public static func generate() -> SSHHostKey {
        SSHHostKey(key: Curve25519.Signing.PrivateKey())
    }

    /// Reads a key written by `encoded`.
    public init(encoded: String) throws(DecodingError) {
        guard let raw = Data(base64Encoded: encoded.trimmingCharacters(in: .whitespacesAndNewlines)),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else {
            throw .invalidEncoding
        }
        self.key = key
    }

    /// Base64 of the 32-byte private key: a secret, to be stored like one.
    public var encoded: String {
        key.rawRepresentation.base64EncodedString()
    }

    /// The key in the form nio-ssh's server configuration takes.
    public var privateKey: NIOSSHPrivateKey {
        NIOSSHPrivateKey(ed25519Key: key)
    }

    /// The public key's SSH wire-format blob: string "ssh-ed25519", string <32-byte key>.
    public var publicKeyBlob: [UInt8] {
        var blob: [UInt8] = []
        for field in [Array("ssh-ed25519".utf8), Array(key.publicKey.rawRepresentation)] {
            let length = UInt32(field.count)
            blob += [
                UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF),
            ]
            blob += field
        }
        return blob
    }

    /// `SHA256:…`, as `ssh` shows it when it first meets the host.
    public var fingerprint: String {
        SSHKeyFingerprint.sha256(blob: publicKeyBlob)
    }

    /// `ssh-ed25519 AAAA…`, for a `known_hosts` line.
    public var openSSHPublicKey: String {
        "ssh-ed25519 " + Data(publicKeyBlob).base64EncodedString()
    }
}
