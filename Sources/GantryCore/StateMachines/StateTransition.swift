import Foundation

/// One recorded state change: every change has a time and a reason (DESIGN.md). The state
/// machines only compute it; the caller writes it, conditional on the record still being in
/// `from` (compare-and-set), and applies it with the record type's `applying(_:)`.
public struct StateTransition<State: Sendable & Equatable>: Sendable, Equatable {
    public var from: State
    public var to: State
    public var reason: String
    public var at: Date
    /// The desired state the event implies, where it implies one: a user's stop, start or
    /// terminate, an instance that exited on its own (it stays stopped until started), a
    /// session's end. nil leaves the desired state as it is. It travels in the transition so
    /// that `applying(_:)` can write state and intent together, in one record update.
    public var desired: WorkloadDesiredState?

    public init(from: State, to: State, reason: String, at: Date, desired: WorkloadDesiredState? = nil) {
        self.from = from
        self.to = to
        self.reason = reason
        self.at = at
        self.desired = desired
    }
}
