import FluentKit
import SQLKit

/// Version 7: a public key belongs to one account (GitHub's and GitLab's rule). Before, only a
/// user's own keys were unique, so anyone could register someone else's public key and be
/// logged in as whoever that key's owner typed. Where a key is on several accounts, the first
/// registration keeps it; the later ones (the only way that could happen) are removed.
struct UniqueSSHKeyFingerprints: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            """
            DELETE FROM ssh_keys WHERE id IN (SELECT k.id FROM ssh_keys k WHERE EXISTS (\
            SELECT 1 FROM ssh_keys o WHERE o.fingerprint = k.fingerprint \
            AND (o.created_at < k.created_at OR (o.created_at = k.created_at AND o.id < k.id))))
            """
        ).run()
        try await sql.raw("DROP INDEX ix_ssh_keys_fingerprint").run()
        try await sql.raw("CREATE UNIQUE INDEX uq_ssh_keys_fingerprint ON ssh_keys (fingerprint)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX uq_ssh_keys_fingerprint").run()
        try await sql.raw("CREATE INDEX ix_ssh_keys_fingerprint ON ssh_keys (fingerprint)").run()
    }
}
