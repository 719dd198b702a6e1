import FluentKit
import SQLKit

/// Version 3: plugins (every version kept, one current) and jobs, which are also the queue, with
/// their event log.
struct AddPluginsAndJobs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("plugins")
            .id()
            .field("name", .string, .required)
            .field("version", .string, .required)
            .field("is_current", .bool, .required)
            .field("description", .string, .required)
            .field("image_reference", .string, .required)
            .field("input_schema", .string)
            .field("output_schema", .string)
            .field("cpu", .double, .required)
            .field("memory_mb", .int, .required)
            .field("gpus", .int, .required)
            .field("timeout_seconds", .int, .required)
            .field("input_mode", .string, .required)
            .field("network", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "name", "version", name: "uq_plugins_name_version")
            .create()

        try await database.schema("jobs")
            .id()
            .field("plugin_name", .string, .required)
            .field("plugin_version", .string, .required)
            .field("status", .string, .required)
            .field("input_json", .string, .required)
            .field("result_json", .string)
            .field("error_message", .string)
            .field("error_code", .string)
            .field("owner_id", .uuid, .required, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("started_at", .datetime)
            .field("completed_at", .datetime)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("run_at", .datetime, .required)
            .field("progress", .double)
            .field("dead_lettered", .bool, .required)
            .field("cancel_requested", .bool, .required)
            .field("lease_owner", .string)
            .field("lease_expires_at", .datetime)
            .field("history_json", .string, .required)
            .create()

        guard let sql = database as? any SQLDatabase else { return }
        // An identity column keeps events in the order they were written, across replicas.
        let sequence =
            sql.dialect.name == "sqlite"
            ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
        try await sql.raw(
            """
            CREATE TABLE job_events (sequence \(unsafeRaw: sequence), job_id UUID NOT NULL, kind TEXT NOT NULL, \
            status TEXT NOT NULL, attempt INTEGER NOT NULL, progress DOUBLE PRECISION, message TEXT, \
            at \(unsafeRaw: sql.dialect.name == "sqlite" ? "REAL" : "TIMESTAMPTZ") NOT NULL)
            """
        ).run()
        let statements = [
            // One current version per plugin name.
            "CREATE UNIQUE INDEX uq_plugins_current_name ON plugins (name) WHERE is_current = true",
            // The claim: due queued jobs, oldest first.
            "CREATE INDEX ix_jobs_queue ON jobs (status, run_at)",
            "CREATE INDEX ix_jobs_lease ON jobs (status, lease_expires_at)",
            // Seed 003's indexes: (owner, status), (created_at desc), (plugin_name, status).
            "CREATE INDEX ix_jobs_owner_status ON jobs (owner_id, status)",
            "CREATE INDEX ix_jobs_created ON jobs (created_at DESC)",
            "CREATE INDEX ix_jobs_plugin_status ON jobs (plugin_name, status)",
            // The rate limit counts a user's recent creations.
            "CREATE INDEX ix_jobs_owner_created ON jobs (owner_id, created_at)",
            "CREATE INDEX ix_jobs_dead ON jobs (dead_lettered, created_at)",
            "CREATE INDEX ix_job_events_job ON job_events (job_id, sequence)",
        ]
        for statement in statements {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP TABLE job_events").run()
        }
        for table in ["jobs", "plugins"] {
            try await database.schema(table).delete()
        }
    }
}
