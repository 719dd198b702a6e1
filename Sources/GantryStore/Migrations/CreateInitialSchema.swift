import FluentKit
import SQLKit

/// Version 1 of the schema: users, API keys, settings, images, nodes, instances and the
/// scheduler lock row.
struct CreateInitialSchema: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("email", .string, .required)
            .field("username", .string, .required)
            .field("full_name", .string, .required)
            .field("role", .string, .required)
            .field("is_active", .bool, .required)
            .field("password_hash", .string, .required)
            .field("quota_instances", .int)
            .field("quota_cpu", .double)
            .field("quota_memory_mb", .int)
            .field("quota_gpus", .int)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "email", name: "uq_users_email")
            .unique(on: "username", name: "uq_users_username")
            .create()

        try await database.schema("api_keys")
            .id()
            .field("owner_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("prefix", .string, .required)
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .unique(on: "token_hash", name: "uq_api_keys_token_hash")
            .create()

        try await database.schema("settings")
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()

        try await database.schema("images")
            .id()
            .field("name", .string, .required)
            .field("display_name", .string, .required)
            .field("reference", .string, .required)
            .field("port", .int, .required)
            .field("description", .string, .required)
            .field("command_json", .string)
            .field("capabilities_json", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "name", name: "uq_images_name")
            .create()

        try await database.schema("nodes")
            .id()
            .field("name", .string, .required)
            .field("endpoint", .string, .required)
            .field("address", .string, .required)
            .field("cpu", .double, .required)
            .field("memory_mb", .int, .required)
            .field("gpus", .int, .required)
            .field("status", .string, .required)
            .field("labels_json", .string, .required)
            .field("last_seen_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "name", name: "uq_nodes_name")
            .create()

        try await database.schema("instances")
            .id()
            .field("name", .string, .required)
            .field("owner_id", .uuid, .required, .references("users", "id"))
            .field("image", .string, .required)
            .field("image_reference", .string, .required)
            .field("container_port", .int, .required)
            .field("cpu", .double, .required)
            .field("memory_mb", .int, .required)
            .field("gpus", .int, .required)
            .field("state", .string, .required)
            .field("desired_state", .string, .required)
            .field("state_reason", .string)
            .field("node", .string, .required)
            .field("host_ip", .string, .required)
            .field("host_port", .int)
            .field("container_id", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("state_changed_at", .datetime, .required)
            // Host ports are unique per node; released ports are NULL, and NULLs never collide.
            .unique(on: "node", "host_port", name: "uq_instances_node_port")
            .create()

        try await database.schema("leases")
            .field("name", .string, .identifier(auto: false))
            .field("holder", .string, .required)
            .field("expires_at", .datetime, .required)
            .create()

        try await database.schema("scheduler_lock")
            .field("id", .int, .identifier(auto: false))
            .field("seq", .int, .required)
            .create()

        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            "CREATE UNIQUE INDEX uq_instances_owner_live_name ON instances (owner_id, name) WHERE state <> 'terminated'"
        ).run()
        try await sql.raw("CREATE INDEX ix_instances_owner_state ON instances (owner_id, state)").run()
        try await sql.raw("CREATE INDEX ix_instances_state ON instances (state)").run()
        try await sql.raw("CREATE INDEX ix_instances_created_at ON instances (created_at)").run()
        try await sql.raw("CREATE INDEX ix_api_keys_owner ON api_keys (owner_id)").run()
        try await sql.raw("INSERT INTO scheduler_lock (id, seq) VALUES (1, 0)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["scheduler_lock", "leases", "instances", "nodes", "images", "settings", "api_keys", "users"] {
            try await database.schema(table).delete()
        }
    }
}
