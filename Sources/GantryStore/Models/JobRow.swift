import Foundation
import GantryCore
import SQLKit

/// Job rows read column by column through SQLKit: the queue's hot path.
enum JobRow {
    static let table = "jobs"
    static let summaryColumns = [
        "id", "plugin_name", "plugin_version", "status", "error_message", "error_code", "owner_id", "created_at",
        "updated_at", "started_at", "completed_at", "attempts", "max_attempts", "run_at", "progress", "dead_lettered",
        "cancel_requested", "lease_owner", "lease_expires_at", "history_json",
    ]
    static let columns = summaryColumns + ["input_json", "result_json"]

    /// Decodes a row; summary rows (without payload columns) get a null input and no result.
    static func decode(_ row: any SQLRow) throws -> Job {
        let statusText = try row.decode(column: "status", as: String.self)
        guard let status = JobStatus(rawValue: statusText) else {
            throw StoreMappingError.invalid("jobs.status", statusText)
        }
        let historyText = try row.decode(column: "history_json", as: String.self)
        let hasPayload = row.contains(column: "input_json")
        return Job(
            id: try row.decode(column: "id", as: UUID.self),
            pluginName: try row.decode(column: "plugin_name", as: String.self),
            pluginVersion: try row.decode(column: "plugin_version", as: String.self),
            status: status,
            input: hasPayload ? try json(row.decode(column: "input_json", as: String.self), "input_json") : .null,
            result: hasPayload
                ? try row.decode(column: "result_json", as: String?.self).map { try json($0, "result_json") } : nil,
            errorMessage: try row.decode(column: "error_message", as: String?.self),
            errorCode: try row.decode(column: "error_code", as: String?.self),
            ownerID: try row.decode(column: "owner_id", as: UUID.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            updatedAt: try row.decode(column: "updated_at", as: Date.self),
            startedAt: try row.decode(column: "started_at", as: Date?.self),
            completedAt: try row.decode(column: "completed_at", as: Date?.self),
            attempts: try row.decode(column: "attempts", as: Int.self),
            maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
            runAt: try row.decode(column: "run_at", as: Date.self),
            progress: try row.decode(column: "progress", as: Double?.self),
            deadLettered: try row.decode(column: "dead_lettered", as: Bool.self),
            cancelRequested: try row.decode(column: "cancel_requested", as: Bool.self),
            leaseOwner: try row.decode(column: "lease_owner", as: String?.self),
            leaseExpiresAt: try row.decode(column: "lease_expires_at", as: Date?.self),
            history: JSONColumn.decode([JobAttempt].self, from: historyText) ?? [])
    }

    static func encodeHistory(_ history: [JobAttempt]) -> String {
        JSONColumn.encode(history) ?? "[]"
    }

    private static func json(_ text: String, _ column: String) throws -> JSONValue {
        do {
            return try JSONValue(parsing: text, trusted: true)
        } catch {
            throw StoreMappingError.invalid("jobs.\(column)", String(text.prefix(80)))
        }
    }
}

/// Job event rows.
enum JobEventRow {
    static let table = "job_events"
    static let columns = ["sequence", "job_id", "kind", "status", "attempt", "progress", "message", "at"]

    static func decode(_ row: any SQLRow) throws -> JobEvent {
        let kindText = try row.decode(column: "kind", as: String.self)
        let statusText = try row.decode(column: "status", as: String.self)
        guard let kind = JobEvent.Kind(rawValue: kindText), let status = JobStatus(rawValue: statusText) else {
            throw StoreMappingError.invalid("job_events.kind/status", "\(kindText)/\(statusText)")
        }
        return JobEvent(
            sequence: try row.decode(column: "sequence", as: Int64.self),
            jobID: try row.decode(column: "job_id", as: UUID.self),
            kind: kind, status: status,
            attempt: try row.decode(column: "attempt", as: Int.self),
            progress: try row.decode(column: "progress", as: Double?.self),
            message: try row.decode(column: "message", as: String?.self),
            at: try row.decode(column: "at", as: Date.self))
    }

    static func values(_ event: JobEvent) -> [any SQLExpression] {
        [
            SQLBind(event.jobID), SQLBind(event.kind.rawValue), SQLBind(event.status.rawValue), SQLBind(event.attempt),
            SQLBind(event.progress), SQLBind(event.message), SQLBind(event.at),
        ]
    }
}
