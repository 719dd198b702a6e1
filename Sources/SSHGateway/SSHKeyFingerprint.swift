import GantryServices

/// Key fingerprints in the form OpenSSH prints them (`ssh-keygen -l`, `ssh -v`, known_hosts prompts).
public enum SSHKeyFingerprint {
    /// `SHA256:` followed by the base64 (without padding) of the SHA-256 digest of the key's SSH
    /// wire-format blob. One implementation, the services', so logs and lookups always agree.
    public static func sha256(blob: [UInt8]) -> String {
        SSHKeyService.fingerprint(of: blob)
    }
}
