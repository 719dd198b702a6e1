/// The read-only picture of the runtime that one reconcile pass plans from, by node name.
public struct ObservedCluster: Sendable, Equatable {
    public var nodes: [String: NodeObservation]

    public init(nodes: [String: NodeObservation] = [:]) {
        self.nodes = nodes
    }

    /// A node nobody observed has no engine configured.
    public func observation(ofNode name: String) -> NodeObservation {
        nodes[name] ?? .noRuntime
    }
}
