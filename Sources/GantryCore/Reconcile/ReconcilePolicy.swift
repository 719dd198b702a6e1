import Foundation

/// The planner's knobs.
public struct ReconcilePolicy: Sendable, Equatable {
    /// A labelled container that no workload owns is left alone until it is this old: it may be
    /// mid-creation, its record not yet written or not yet read by this pass.
    public var danglingGrace: TimeInterval
    /// A session still creating after this long (since it was created) is failed: the server
    /// creating it died.
    public var sessionCreationTimeout: TimeInterval

    public init(danglingGrace: TimeInterval = 60, sessionCreationTimeout: TimeInterval = 900) {
        self.danglingGrace = danglingGrace
        self.sessionCreationTimeout = sessionCreationTimeout
    }
}
