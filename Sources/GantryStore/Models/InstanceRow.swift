import Foundation
import GantryCore
import SQLKit

/// Reads instance rows column by column through SQLKit. Instance listings are the hot path, and
/// Fluent's model decoding (reflection per row) cost more than the query itself.
enum InstanceRow {
    static let columns = [
        "id", "name", "owner_id", "image", "image_reference", "container_port", "cpu", "memory_mb", "gpus", "state",
        "desired_state", "state_reason", "node", "host_ip", "host_port", "container_id", "created_at", "updated_at",
        "state_changed_at", "container_template",
    ]

    static func decode(_ row: any SQLRow) throws -> Instance {
        Instance(
            id: try row.decode(column: "id", as: UUID.self),
            name: try row.decode(column: "name", as: String.self),
            ownerID: try row.decode(column: "owner_id", as: UUID.self),
            image: try row.decode(column: "image", as: String.self),
            imageReference: try row.decode(column: "image_reference", as: String.self),
            containerPort: try row.decode(column: "container_port", as: Int.self),
            cpu: try row.decode(column: "cpu", as: Double.self),
            memoryMB: try row.decode(column: "memory_mb", as: Int.self),
            gpus: try row.decode(column: "gpus", as: Int.self),
            state: try state(try row.decode(column: "state", as: String.self)),
            desiredState: try desiredState(try row.decode(column: "desired_state", as: String.self)),
            stateReason: try row.decode(column: "state_reason", as: String?.self),
            node: try row.decode(column: "node", as: String.self),
            hostIP: try row.decode(column: "host_ip", as: String.self),
            hostPort: try row.decode(column: "host_port", as: Int?.self),
            containerID: try row.decode(column: "container_id", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            updatedAt: try row.decode(column: "updated_at", as: Date.self),
            stateChangedAt: try row.decode(column: "state_changed_at", as: Date.self),
            template: try StoredTemplate.decode(
                try row.decode(column: "container_template", as: String?.self),
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
