import Foundation

/// Which workload an action is for, and the node whose engine it needs.
public struct WorkloadReference: Sendable, Hashable {
    public var kind: WorkloadKind
    public var id: UUID
    public var node: String

    public init(kind: WorkloadKind, id: UUID, node: String) {
        self.kind = kind
        self.id = id
        self.node = node
    }

    public init(_ workload: Workload) {
        self.init(kind: workload.kind, id: workload.id, node: workload.node)
    }
}
