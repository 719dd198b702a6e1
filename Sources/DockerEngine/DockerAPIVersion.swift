import Synchronization

/// The Engine API version this client speaks with one engine, chosen once from its `GET /version`.
///
/// Gantry's request and response shapes are those of v1.41 (Docker 20.10, Debian bookworm's docker.io),
/// so it asks for 1.41 when the engine allows; an older engine gets its own newest version, and a newer
/// engine that has dropped 1.41 (Docker 29 requires at least 1.44) gets its oldest, whose shapes for the
/// fields used here are unchanged.
struct DockerAPIVersion: Sendable, Equatable, Comparable, CustomStringConvertible {
    var major: Int
    var minor: Int

    static let preferred = DockerAPIVersion(major: 1, minor: 41)

    init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    init?(_ text: String) {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        self.init(major: major, minor: minor)
    }

    var description: String { "\(major).\(minor)" }

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    /// The version to speak, given what the engine reports it supports.
    static func negotiate(engineMaximum: DockerAPIVersion?, engineMinimum: DockerAPIVersion?) -> DockerAPIVersion {
        if let engineMaximum, engineMaximum < preferred { return engineMaximum }
        if let engineMinimum, preferred < engineMinimum { return engineMinimum }
        return preferred
    }
}

/// Remembers the negotiated version so that only the first call of a client pays for `GET /version`.
final class DockerAPIVersionCache: Sendable {
    private let negotiated = Mutex<DockerAPIVersion?>(nil)

    var value: DockerAPIVersion? { negotiated.withLock { $0 } }

    func store(_ version: DockerAPIVersion) {
        negotiated.withLock { $0 = version }
    }
}
