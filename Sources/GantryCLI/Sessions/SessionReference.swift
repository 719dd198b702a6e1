import GantryOpenAPI

/// Sessions are referred to the way instances are (full ID, 8+ character ID prefix, or name), so they share
/// `InstanceReference`'s rules; only which sessions count as live is session-specific.
enum SessionReference {
    /// Creating and running sessions hold a GPU and a container; the others are history.
    static func isLive(_ status: Components.Schemas.SessionStatus) -> Bool {
        switch status {
        case .creating, .running: true
        case .expired, .terminated, .failed: false
        }
    }

    static func candidate(_ session: Components.Schemas.Session) -> InstanceReference.Candidate {
        .init(id: session.sessionId, name: session.name, isTerminated: !isLive(session.status))
    }

    /// The ID that `reference` names among `sessions`, or nil when the server should be asked by name: it
    /// resolves the caller's own session names itself, ended ones included, which the list may not show.
    static func resolve(_ reference: String, among sessions: [Components.Schemas.Session]) throws -> String? {
        do {
            return try InstanceReference.resolve(reference, among: sessions.map(candidate), noun: "session")
        } catch CLIError.notFound(_) where !InstanceReference.isIDPrefix(reference) {
            return nil
        }
    }
}
