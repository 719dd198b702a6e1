/// What one pass saw of one node's engine.
public enum NodeObservation: Sendable, Equatable {
    /// The engine answered: these are this installation's containers on it.
    case containers([ContainerObservation])
    /// The engine did not answer. Nothing is decided from it: a missed pass costs nothing.
    case unreachable(reason: String)
    /// No engine is configured for that node name (the node was removed).
    case noRuntime
}
