import Crypto
import Foundation

/// Key fingerprints in the form OpenSSH prints them (`ssh-keygen -l`, `ssh -v`, known_hosts prompts).
public enum SSHKeyFingerprint {
    /// `SHA256:` followed by the base64 (without padding) of the SHA-256 digest of the key's SSH
    /// wire-format blob, e.g. `SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s`.
    public static func sha256(blob: [UInt8]) -> String {
        let digest = SHA256.hash(data: blob)
        var encoded = Data(digest).base64EncodedString()
        while encoded.hasSuffix("=") {
            encoded.removeLast()
        }
        return "SHA256:" + encoded
    }
}
