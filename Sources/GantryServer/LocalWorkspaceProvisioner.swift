import Foundation
import GantryPorts
import GantryServices

#if canImport(Glibc)
    import Glibc
#endif

/// Workspaces on the host this server runs on (the local node): `root/<username>`, owned by the
/// user's uid with mode 0700 so no other session user can read it.
struct LocalWorkspaceProvisioner: WorkspaceProvisioner {
    func prepareWorkspace(path: String, uid: Int, gid: Int) async throws {
        let manager = FileManager.default
        let root = (path as NSString).deletingLastPathComponent
        // The root is traversable but not listable by session users.
        if !manager.fileExists(atPath: root) {
            try manager.createDirectory(
                atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        }
        if !manager.fileExists(atPath: path) {
            try manager.createDirectory(
                atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        }
        guard chown(path, uid_t(uid), gid_t(gid)) == 0 else {
            throw WorkspaceError(
                "could not give \(path) to uid \(uid): \(String(cString: strerror(errno))) (gantry serve must run as root to own workspaces)"
            )
        }
        try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
    }
}

struct WorkspaceError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
