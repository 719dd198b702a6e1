import Foundation

/// Works around a trap in Foundation's `Process` on Linux when tests spawn OpenSSH tools.
///
/// Foundation learns that a child exited when the child's end of a socketpair closes, and then
/// blocks its single manager thread in `waitpid` for that child. `ssh`, `scp` and friends close
/// every inherited descriptor at startup (`closefrom(3)`), so the manager thread blocks until
/// they exit, and no other `Process` in the test run is seen to exit in the meantime: an `ssh`
/// waiting for an exit status that a fake's process can never report. A plain `sh` parent keeps
/// the socket open for as long as the real command runs.
enum ForegroundProcess {
    static func wrapped(_ executable: String, _ arguments: [String]) -> (URL, [String]) {
        // Not `exec`, and not the last command of the script either (dash would exec that one).
        (URL(fileURLWithPath: "/bin/sh"), ["-c", "\"$@\"; status=$?; exit $status", "sh", executable] + arguments)
    }
}
