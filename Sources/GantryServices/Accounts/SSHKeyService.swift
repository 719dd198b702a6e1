import Crypto
import Foundation
import GantryCore
import GantryPorts
import Logging

/// Users' SSH public keys, which the gateway accepts for them and only them.
public struct SSHKeyService: Sendable {
    let store: any SSHKeyStore
    let logger: Logger

    public init(store: any SSHKeyStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// OpenSSH's `SHA256:<base64 without padding>` of the key's wire blob.
    public static func fingerprint(of blob: [UInt8]) -> String {
        let digest = Data(SHA256.hash(data: blob)).base64EncodedString()
        return "SHA256:" + digest.trimmingCharacters(in: CharacterSet(charactersIn: "="))
    }

    public func add(publicKey line: String, name: String?, by caller: Principal) async throws -> UserSSHKey {
        let key = try SSHPublicKey.parse(line)
        let label =
            (name?.trimmingCharacters(in: .whitespaces)).flatMap { $0.isEmpty ? nil : $0 } ?? key.comment ?? key.type
        // Code points, as openapi.yaml's maxLength counts them, of the name as sent.
        guard label.unicodeScalars.count <= 100, (name?.unicodeScalars.count ?? 0) <= 100 else {
            throw GantryError.invalid("name must be at most 100 characters")
        }
        guard !label.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw GantryError.invalid("name must not contain control characters")
        }
        let record = UserSSHKey(
            ownerID: caller.id, name: label, type: key.type, publicKey: key.normalized,
            fingerprint: Self.fingerprint(of: key.blob))
        do {
            try await store.createSSHKey(record)
        } catch StoreError.duplicate {
            // A key belongs to one account (whoever holds the private key is that user), so it
            // cannot be added to a second one; which account holds it is not said.
            throw GantryError(
                .conflict, code: "duplicate_key", detail: "this key (\(record.fingerprint)) is already registered")
        }
        logger.info(
            "ssh key added",
            metadata: [
                "user": "\(caller.user.username)", "fingerprint": "\(record.fingerprint)", "type": "\(key.type)",
            ])
        return record
    }

    public func list(by caller: Principal) async throws -> [UserSSHKey] {
        try await store.sshKeys(ownerID: caller.id)
    }

    public func remove(id: UUID, by caller: Principal) async throws {
        guard try await store.deleteSSHKey(id: id, ownerID: caller.id) else { throw GantryError.notFound("ssh key") }
        logger.info("ssh key removed", metadata: ["user": "\(caller.user.username)", "key": "\(id)"])
    }
}
