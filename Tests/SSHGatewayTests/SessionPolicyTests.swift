import GantryPorts
import GantryServices
import Testing

@testable import SSHGateway

@Suite struct SessionPolicyTests {
    @Test(arguments: ["LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "TERM", "COLORTERM"])
    func acceptsLocaleAndTerminalVariables(name: String) {
        #expect(SessionEnvironmentPolicy.accepts(name: name, value: "C.UTF-8"))
    }

    @Test(arguments: [
        "PATH", "LD_PRELOAD", "BASH_ENV", "ENV", "LC_", "lc_all", "LC_all", "HOME", "SHELL", "PROMPT_COMMAND",
    ])
    func rejectsEverythingElse(name: String) {
        #expect(!SessionEnvironmentPolicy.accepts(name: name, value: "x"))
    }

    @Test func rejectsOversizedOrNULValues() {
        #expect(!SessionEnvironmentPolicy.accepts(name: "LANG", value: String(repeating: "a", count: 5000)))
        #expect(!SessionEnvironmentPolicy.accepts(name: "LANG", value: "C\u{0}x"))
    }

    @Test func terminalFromThePtyWinsOverTheVariable() {
        var setup = SessionSetup()
        let accepted = [
            setup.setVariable(name: "TERM", value: "dumb"), setup.setVariable(name: "LANG", value: "C"),
            setup.setVariable(name: "LANG", value: "C.UTF-8"), setup.setVariable(name: "PATH", value: "/tmp"),
        ]
        #expect(accepted == [true, true, true, false])
        #expect(setup.environment == ["TERM=dumb", "LANG=C.UTF-8"])
        setup.terminal = ("xterm", .init(columns: 80, rows: 24))
        #expect(setup.environment == ["LANG=C.UTF-8", "TERM=xterm"])
    }

    @Test func programsRunThroughTheShell() {
        #expect(SessionProgram.command("ls -l").argv == ["/bin/sh", "-c", "ls -l"])
        #expect(
            SessionProgram.shell.argv == [
                "/bin/sh", "-c", "if [ -x /bin/bash ]; then exec /bin/bash -l; else exec /bin/sh -l; fi",
            ])
        let sftp = SessionProgram.sftp.argv
        #expect(sftp.prefix(2) == ["/bin/sh", "-c"])
        for path in SessionProgram.sftpServerPaths {
            #expect(sftp[2].contains(path))
        }
        #expect(sftp[2].contains("sftp-server not found in this image"))
        #expect(sftp[2].hasSuffix("exit 127"))
    }
}
