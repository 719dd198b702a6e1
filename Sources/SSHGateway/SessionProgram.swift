/// What a session channel runs in the target container, and the argv that runs it.
enum SessionProgram: Equatable, Sendable {
    /// An interactive login shell (`ssh host`).
    case shell
    /// A command line, interpreted by `/bin/sh` as sshd does with the user's shell (`ssh host cmd`).
    case command(String)
    /// The SFTP server (`sftp`, and `scp`, which speaks SFTP since OpenSSH 9).
    case sftp

    /// Places images keep `sftp-server` in (Debian/Ubuntu, Alpine, Fedora/RHEL and others).
    static let sftpServerPaths = [
        "/usr/lib/openssh/sftp-server", "/usr/lib/sftp-server", "/usr/libexec/sftp-server",
        "/usr/libexec/openssh/sftp-server",
    ]

    var argv: [String] {
        switch self {
        case .shell:
            // Images differ: bash where there is one, otherwise the POSIX shell.
            return ["/bin/sh", "-c", "if [ -x /bin/bash ]; then exec /bin/bash -l; else exec /bin/sh -l; fi"]
        case .command(let line):
            return ["/bin/sh", "-c", line]
        case .sftp:
            let candidates = Self.sftpServerPaths.joined(separator: " ")
            let script =
                "for p in \(candidates); do if [ -x \"$p\" ]; then exec \"$p\"; fi; done; "
                + "echo 'sftp-server not found in this image' >&2; exit 127"
            return ["/bin/sh", "-c", script]
        }
    }

    /// A short name for logs; the command line itself may hold secrets and is not logged.
    var kind: String {
        switch self {
        case .shell: "shell"
        case .command: "exec"
        case .sftp: "sftp"
        }
    }
}
