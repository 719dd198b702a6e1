import Foundation

/// Makes a user's persistent workspace directory exist on a node with the right owner.
public protocol WorkspaceProvisioner: Sendable {
    /// Creates `path` if missing and gives it to `uid:gid` with mode 0700; returns the path.
    func prepareWorkspace(path: String, uid: Int, gid: Int) async throws
}
