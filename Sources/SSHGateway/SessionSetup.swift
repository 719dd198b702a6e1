import GantryPorts
import GantryServices
import NIOCore

/// What a session channel asked for before its program started: terminal, environment, and any
/// input that arrived early.
struct SessionSetup {
    /// Input a client may send before its shell/exec request is answered; more is a misbehaving client.
    static let maximumEarlyInput = 1024 * 1024

    var terminal: (term: String, size: TerminalSize)?
    private(set) var variables: [(name: String, value: String)] = []
    private(set) var earlyInput: [ByteBuffer] = []
    private(set) var earlyInputBytes = 0
    var inputEnded = false

    /// Adds a variable the policy accepts; says whether it did.
    mutating func setVariable(name: String, value: String) -> Bool {
        guard SessionEnvironmentPolicy.accepts(name: name, value: value) else {
            return false
        }
        if let index = variables.firstIndex(where: { $0.name == name }) {
            variables[index].value = value
            return true
        }
        guard variables.count < SessionEnvironmentPolicy.maximumVariables else {
            return false
        }
        variables.append((name, value))
        return true
    }

    /// Keeps input for the program; `false` once too much has piled up.
    mutating func bufferInput(_ bytes: ByteBuffer) -> Bool {
        earlyInputBytes += bytes.readableBytes
        earlyInput.append(bytes)
        return earlyInputBytes <= Self.maximumEarlyInput
    }

    /// `KEY=value` entries for the exec: the accepted variables, then TERM from the pty request.
    var environment: [String] {
        var entries = variables.filter { terminal == nil || $0.name != "TERM" }.map { "\($0.name)=\($0.value)" }
        if let terminal {
            entries.append("TERM=\(terminal.term)")
        }
        return entries
    }
}
