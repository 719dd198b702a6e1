import Foundation

/// What can happen to a GPU session.
public enum SessionEvent: Sendable, Equatable {
    /// Its container was created and started.
    case containerRunning
    /// Its TTL ran out at `ttlEnd` (the session's `expiresAt`).
    case expired(ttlEnd: Date)
    /// A user (or admin) deleted it.
    case terminated(by: String)
    case failed(reason: String)
    /// It was still creating after the creation timeout (a server died mid-creation).
    case creationTimedOut

    /// The phrase a refusal uses: "cannot <action> a session that is …".
    public var action: String {
        switch self {
        case .containerRunning: "record as running"
        case .expired: "expire"
        case .terminated: "end"
        case .failed: "fail"
        case .creationTimedOut: "time out the creation of"
        }
    }
}
