import Foundation

/// A container as the engine reports it.
public struct ContainerObservation: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        case created, running, paused, restarting, removing, exited, dead
    }

    public var id: String
    public var name: String
    public var labels: [String: String]
    public var status: Status
    public var exitCode: Int?
    /// Engine-reported error for a container that failed to start (State.Error).
    public var error: String?
    /// The kernel killed it for going over its memory limit.
    public var oomKilled: Bool
    /// When the engine created it; the dangling sweep leaves young containers alone.
    public var createdAt: Date?

    public init(
        id: String, name: String, labels: [String: String], status: Status, exitCode: Int? = nil, error: String? = nil,
        oomKilled: Bool = false, createdAt: Date? = nil
    ) {
        self.createdAt = createdAt
        self.oomKilled = oomKilled
        self.id = id
        self.name = name
        self.labels = labels
        self.status = status
        self.exitCode = exitCode
        self.error = error
    }
}
