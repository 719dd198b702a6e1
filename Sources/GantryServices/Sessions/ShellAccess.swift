import Foundation
import GantryCore
import GantryPorts

/// A container a signed-in SSH user may enter: one of their GPU sessions or instances.
public struct ShellTarget: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case session, instance
    }

    public var kind: Kind
    public var id: UUID
    public var name: String
    public var ownerID: UUID
    public var ownerUsername: String
    public var node: String
    public var containerID: String

    public init(
        kind: Kind, id: UUID, name: String, ownerID: UUID, ownerUsername: String, node: String, containerID: String
    ) {
        self.kind = kind
        self.id = id
        self.name = name
        self.ownerID = ownerID
        self.ownerUsername = ownerUsername
        self.node = node
        self.containerID = containerID
    }
}

/// The answer to "may this key sign in as this login?".
public enum ShellLoginDecision: Sendable, Equatable {
    /// The key is registered to the login's user. `fingerprint` is OpenSSH's `SHA256:…` form.
    case accepted(ShellGrant)
    /// Refused; `reason` is for the log only and never shown to the client.
    case refused(reason: String, fingerprint: String?)
}

/// An authenticated user and the target part of their login (`alice+target`), if any.
public struct ShellGrant: Sendable, Equatable {
    public var userID: UUID
    public var username: String
    public var requestedTarget: String?
    public var keyFingerprint: String

    public init(userID: UUID, username: String, requestedTarget: String?, keyFingerprint: String) {
        self.userID = userID
        self.username = username
        self.requestedTarget = requestedTarget
        self.keyFingerprint = keyFingerprint
    }
}

/// Where a grant's channels go, or the message that explains why nowhere.
public enum ShellTargetResolution: Sendable, Equatable {
    case target(ShellTarget)
    /// Shown to the user on stderr before the connection closes, e.g. "no running session".
    case unavailable(message: String)
}

/// What the SSH gateway asks of the services. The gateway authenticates keys cryptographically;
/// everything about users, keys, targets and TTLs is decided here.
public protocol ShellAccess: Sendable {
    /// `login` is the SSH user name as typed (`alice` or `alice+<session-or-instance>`);
    /// `publicKeyBlob` is the key in SSH wire format (what `ssh-keygen -l` fingerprints).
    func authenticate(login: String, publicKeyBlob: [UInt8]) async -> ShellLoginDecision
    /// Picks the container for a grant; called when the client asks for a shell, command or subsystem.
    func resolveTarget(for grant: ShellGrant) async -> ShellTargetResolution
    /// Starts a process in the target's container.
    func exec(_ command: ExecCommand, on target: ShellTarget) async throws -> any ContainerExecSession
    /// Called while a client is connected (on connect and then periodically) so that the target
    /// does not expire under it.
    func keepAlive(_ target: ShellTarget) async
    /// Of `userIDs` (users signed in through the gateway), those who may no longer be: removed or
    /// deactivated. Their connections are closed. When it cannot tell, it names nobody.
    func revokedUsers(among userIDs: Set<UUID>) async -> Set<UUID>
}
