import FluentKit
import SQLKit

/// Version 2: SSH keys, GPU sessions, per-node GPU inventories and POSIX accounts.
struct AddGPUSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("ssh_keys")
            .id()
            .field("owner_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("key_type", .string, .required)
            .field("public_key", .string, .required)
            .field("fingerprint", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .unique(on: "owner_id", "fingerprint", name: "uq_ssh_keys_owner_fingerprint")
            .create()

        try await database.schema("gpu_sessions")
            .id()
            .field("name", .string, .required)
            .field("owner_id", .uuid, .required, .references("users", "id"))
            .field("node", .string, .required)
            .field("image", .string, .required)
            .field("image_reference", .string, .required)
            .field("cpu", .double, .required)
            .field("memory_mb", .int, .required)
            .field("requested_profile", .string, .required)
            .field("gpu_allocation", .string, .required)
            .field("gpu_uuid", .string)
            .field("gpu_index", .int)
            .field("gpu_model", .string)
            .field("gpu_profile", .string)
            .field("state", .string, .required)
            .field("state_reason", .string)
            .field("container_id", .string)
            .field("workspace_path", .string, .required)
            .field("posix_uid", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("ended_at", .datetime)
            .create()

        try await database.schema("gpu_inventories")
            .field("node", .string, .identifier(auto: false))
            .field("inventory_json", .string, .required)
            .field("refreshed_at", .datetime, .required)
            .create()

        try await database.schema("posix_accounts")
            .field("user_id", .uuid, .identifier(auto: false), .references("users", "id", onDelete: .cascade))
            .field("uid", .int, .required)
            .unique(on: "uid", name: "uq_posix_accounts_uid")
            .create()

        guard let sql = database as? any SQLDatabase else { return }
        // A device is held by at most one active session: the last line of defence behind the
        // scheduler lock.
        try await sql.raw(
            """
            CREATE UNIQUE INDEX uq_gpu_sessions_active_device ON gpu_sessions (node, gpu_uuid) \
            WHERE state IN ('creating', 'running') AND gpu_uuid IS NOT NULL
            """
        ).run()
        try await sql.raw(
            "CREATE UNIQUE INDEX uq_gpu_sessions_owner_active_name ON gpu_sessions (owner_id, name) WHERE state IN ('creating', 'running')"
        ).run()
        try await sql.raw("CREATE INDEX ix_gpu_sessions_state_expires ON gpu_sessions (state, expires_at)").run()
        try await sql.raw("CREATE INDEX ix_gpu_sessions_owner ON gpu_sessions (owner_id, created_at)").run()
        try await sql.raw("CREATE INDEX ix_ssh_keys_fingerprint ON ssh_keys (fingerprint)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["posix_accounts", "gpu_inventories", "gpu_sessions", "ssh_keys"] {
            try await database.schema(table).delete()
        }
    }
}
