import Foundation
import GantryCore

public protocol SSHKeyStore: Sendable {
    /// Throws `StoreError.duplicate(field: "fingerprint")` when the owner already has the key.
    func createSSHKey(_ key: UserSSHKey) async throws
    func sshKeys(ownerID: UUID) async throws -> [UserSSHKey]
    func sshKey(ownerID: UUID, fingerprint: String) async throws -> UserSSHKey?
    func deleteSSHKey(id: UUID, ownerID: UUID) async throws -> Bool
    func markSSHKeyUsed(id: UUID, at: Date) async throws
}
