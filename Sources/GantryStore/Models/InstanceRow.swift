import Foundation
import GantryCore

/// The one mapping of an `instances` row (Fluent's `InstanceModel` is used for writes only).
/// Instance listings are the hot read path: the API, the dashboard's live rows and the SSH
/// gateway's target lookup all read through here.
enum InstanceRow {
    static let columns = [
        "id", "name", "owner_id", "image", "image_reference", "container_port", "cpu", "memory_mb", "gpus", "state",
        "desired_state", "state_reason", "node", "host_ip", "host_port", "container_id", "created_at", "updated_at",
        "state_changed_at", "container_template",
    ]

    static func decode(_ row: any RowReader, templates: TemplateCache) throws -> Instance {
        let id = try row.uuid("id")
        return Instance(
            id: id, name: try row.string("name"), ownerID: try row.uuid("owner_id"), image: try row.string("image"),
            imageReference: try row.string("image_reference"), containerPort: try row.int("container_port"),
            cpu: try row.double("cpu"), memoryMB: try row.int("memory_mb"), gpus: try row.int("gpus"),
            state: try state(try row.string("state")), desiredState: try desiredState(try row.string("desired_state")),
            stateReason: try row.optionalString("state_reason"), node: try row.string("node"),
            hostIP: try row.string("host_ip"), hostPort: try row.optionalInt("host_port"),
            containerID: try row.optionalString("container_id"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"), stateChangedAt: try row.date("state_changed_at"),
            template: try templates.template(
                for: id, stored: try row.optionalString("container_template"),
                column: "instances.container_template"))
    }

    /// Unknown stored states are errors: a guessed state would let the reconciler act on a row
    /// it does not understand.
    static func state(_ text: String) throws -> InstanceState {
        guard let state = InstanceState(rawValue: text) else {
            throw StoreMappingError.invalid("instances.state", text)
        }
        return state
    }

    static func desiredState(_ text: String) throws -> DesiredState {
        guard let desired = DesiredState(rawValue: text) else {
            throw StoreMappingError.invalid("instances.desired_state", text)
        }
        return desired
    }
}
