/// An event that the state machine does not allow in the current state. Its description is
/// written for an API user ("cannot stop an instance that is stopped"); the edge maps it to the
/// `invalid_state` error.
public struct TransitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var kind: WorkloadKind
    /// The raw value of the state the record was in.
    public var state: String
    /// What was attempted, as a verb phrase ("stop", "record as running").
    public var action: String

    public init(kind: WorkloadKind, state: String, action: String) {
        self.kind = kind
        self.state = state
        self.action = action
    }

    public var description: String {
        let article = kind.rawValue.first.map { "aeiou".contains($0) } == true ? "an" : "a"
        return "cannot \(action) \(article) \(kind.rawValue) that is \(state)"
    }
}
