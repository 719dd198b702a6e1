import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where output goes: results to stdout (so they can be piped), errors, notes and prompts to stderr.
enum Console {
    static func out(_ text: String, terminator: String = "\n") {
        FileHandle.standardOutput.write(Data((text + terminator).utf8))
    }

    static func error(_ text: String, terminator: String = "\n") {
        FileHandle.standardError.write(Data((text + terminator).utf8))
    }

    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Asks on stderr and reads one line from stdin; nil at end of input.
    static func prompt(_ question: String) -> String? {
        error(question, terminator: "")
        return readLine(strippingNewline: true)
    }

    /// Asks for a secret with terminal echo turned off, restoring the terminal afterwards.
    static func promptSecret(_ question: String) -> String? {
        error(question, terminator: "")
        var original = termios()
        let canDisableEcho = tcgetattr(STDIN_FILENO, &original) == 0
        if canDisableEcho {
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        defer {
            if canDisableEcho {
                _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
                // The user's Enter was not echoed, so end the prompt line ourselves.
                error("")
            }
        }
        return readLine(strippingNewline: true)
    }

    /// Everything on stdin, for `--password-stdin`; only the final line break is dropped, as `docker login` does.
    static func readAllStdin() -> String {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        var text = String(decoding: data, as: UTF8.self)
        // "\r\n" is a single Character, so this drops either line ending whole.
        if text.last?.isNewline == true { text.removeLast() }
        return text
    }
}
