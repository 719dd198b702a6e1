import Foundation
import NIOSSH

extension NIOSSHPublicKey {
    /// The key in SSH wire format (RFC 4253 §6.6): what `authorized_keys` holds in base64 and what
    /// fingerprints are computed over. `nil` only if nio-ssh's own text form could not be read back.
    public var sshWireBlob: [UInt8]? {
        // nio-ssh keeps its wire serializer internal; its OpenSSH text form
        // ("<algorithm> <base64 blob>") carries exactly that blob.
        let fields = String(openSSHPublicKey: self).split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2, let blob = Data(base64Encoded: String(fields[1])) else {
            return nil
        }
        return Array(blob)
    }
}
