import GantryPorts
import GantryServices
import Logging
import NIOCore

/// Runs one SSH session channel: gathers its setup requests, finds the target container, starts
/// the program there, and pumps bytes both ways until one side ends.
///
/// Backpressure: stdin is read from the channel only as fast as `send` completes (unread
/// messages pile up to a few, then `SessionChannelIO` stops asking nio-ssh for data, nio-ssh stops
/// opening the SSH window, and the client stops sending); output is pulled with `nextOutput()`
/// only as fast as the channel takes it (`SessionChannelIO.write` suspends while the channel is
/// not writable: the client's window is used up or the TCP send buffer is full).
struct SessionBridge: Sendable {
    /// A shell, exec or subsystem request: what ends a session's setup.
    private struct ProgramRequest {
        var program: SessionProgram
        var wantReply: Bool
    }

    /// How long a channel that ends in an error message may take to be closed by the client before
    /// the connection is dropped anyway.
    static let closeGracePeriod: Duration = .seconds(2)

    let access: any ShellAccess
    let connection: GatewayConnection
    let keepAliveInterval: Duration

    func run(_ io: SessionChannelIO) async {
        do {
            var setup = SessionSetup()
            if let request = try await readSetup(&setup, from: io) {
                try await start(request, setup: setup, io: io)
            }
        } catch {
            connection.logger.debug("ssh session channel ended", metadata: ["error": "\(error)"])
        }
        // Whatever ended the session, the channel goes too (a no-op when it is already closed).
        io.channel.close(promise: nil)
    }

    /// Handles requests until one names a program; `nil` if the channel closed first.
    private func readSetup(_ setup: inout SessionSetup, from io: SessionChannelIO) async throws -> ProgramRequest? {
        while let message = try await io.next() {
            switch message {
            case .pseudoTerminal(let term, let size, let wantReply):
                setup.terminal = (term, size)
                try await reply(wantReply, success: true, on: io)
            case .environment(let name, let value, let wantReply):
                let accepted = setup.setVariable(name: name, value: value)
                try await reply(wantReply, success: accepted, on: io)
            case .windowChange(let size):
                setup.terminal?.size = size
            case .data(let bytes):
                guard setup.bufferInput(bytes) else {
                    connection.logger.notice("ssh client sent too much input before starting a program")
                    return nil
                }
            case .endOfInput:
                setup.inputEnded = true
            case .shell(let wantReply):
                return ProgramRequest(program: .shell, wantReply: wantReply)
            case .exec(let command, let wantReply):
                return ProgramRequest(program: .command(command), wantReply: wantReply)
            case .subsystem(let name, let wantReply):
                if name == "sftp" {
                    return ProgramRequest(program: .sftp, wantReply: wantReply)
                }
                try await reply(wantReply, success: false, on: io)
            }
        }
        return nil
    }

    private func start(_ request: ProgramRequest, setup: SessionSetup, io: SessionChannelIO) async throws {
        let (program, wantReply) = (request.program, request.wantReply)
        // Authentication succeeded before nio-ssh let the client open this channel, so a grant
        // is always there; the guard is for the impossible case, not a policy.
        guard let grant = connection.grant else {
            try await reply(wantReply, success: false, on: io)
            return
        }
        let target: ShellTarget
        switch await access.resolveTarget(for: grant) {
        case .unavailable(let message):
            connection.logger.info("ssh session has no target", metadata: ["reason": "\(message)"])
            try await reply(wantReply, success: true, on: io)
            try await end(withMessage: message, setup: setup, io: io)
            return
        case .target(let resolved):
            target = resolved
        }
        connection.keepTargetAlive(target, access: access, every: keepAliveInterval)

        let command = ExecCommand(
            containerID: target.containerID, argv: program.argv, tty: setup.terminal != nil,
            environment: setup.environment, workingDirectory: nil, initialSize: setup.terminal?.size)
        let session: any ContainerExecSession
        do {
            session = try await access.exec(command, on: target)
        } catch {
            connection.logger.warning(
                "ssh session could not start", metadata: ["ssh.program": "\(program.kind)", "error": "\(error)"])
            try await reply(wantReply, success: true, on: io)
            try await end(withMessage: "gantry: could not start a process in \(target.name)", setup: setup, io: io)
            return
        }
        connection.logger.info(
            "ssh session started", metadata: ["ssh.program": "\(program.kind)", "ssh.tty": "\(command.tty)"])
        try await reply(wantReply, success: true, on: io)
        await bridge(session, setup: setup, io: io)
    }

    /// Pumps both ways until the channel closes, whichever side closes it.
    private func bridge(_ session: any ContainerExecSession, setup: SessionSetup, io: SessionChannelIO) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await Self.pumpOutput(from: session, to: io)
            }
            // Once the program stops taking input, what the client still sends is dropped rather
            // than left unread, so that its window stays open and output keeps flowing.
            var inputOpen = true
            // With a terminal, the client's EOF is not passed on (as OpenSSH's sshd does): the
            // client sends it right after piped input (`printf 'cmd\n' | ssh -tt`), and closing
            // the terminal's input then would end the shell before it has read that input.
            let forwardsEndOfInput = setup.terminal == nil
            func deliver(_ bytes: ByteBuffer) async {
                guard inputOpen else {
                    return
                }
                do {
                    try await session.send(bytes)
                } catch {
                    inputOpen = false
                }
            }
            func endInput() async {
                guard inputOpen else {
                    return
                }
                inputOpen = false
                try? await session.finishInput()
            }

            for bytes in setup.earlyInput {
                await deliver(bytes)
            }
            if setup.inputEnded, forwardsEndOfInput {
                await endInput()
            }
            do {
                while let message = try await io.next() {
                    switch message {
                    case .data(let bytes):
                        await deliver(bytes)
                    case .endOfInput:
                        if forwardsEndOfInput { await endInput() }
                    case .windowChange(let size):
                        try? await session.resize(size)
                    case .pseudoTerminal(_, _, let wantReply), .environment(_, _, let wantReply), .shell(let wantReply),
                        .exec(_, let wantReply), .subsystem(_, let wantReply):
                        // Too late: the program is running.
                        try await reply(wantReply, success: false, on: io)
                    }
                }
            } catch {
                // The channel failed, which means it is gone just as when the stream ends.
            }
            // The channel has closed: after the program ended (the pump closed it) or because the
            // client went away. Either way the process must not outlive it.
            await session.close()
            group.cancelAll()
        }
    }

    /// Output to the client until the program's output ends, then its exit status.
    private static func pumpOutput(from session: any ContainerExecSession, to io: SessionChannelIO) async {
        // 255 is what ssh itself reports when it cannot tell: the engine lost the process, the
        // container stopped under it, or the status is unknown.
        var status = 255
        do {
            while let chunk = try await session.nextOutput() {
                try await io.write(.output(chunk))
            }
            if let code = try await session.exitStatus(), (0...255).contains(code) {
                status = Int(code)
            }
        } catch {
            // Reported as 255 below; if the channel is gone that write fails quietly too.
        }
        try? await io.write(.exit(status: status))
    }

    /// Shows `message` on the client's stderr, ends the channel with status 1 and drops the
    /// connection: there is nothing a retry on it could reach.
    private func end(withMessage message: String, setup: SessionSetup, io: SessionChannelIO) async throws {
        let channel = io.channel
        let newline = setup.terminal == nil ? "\n" : "\r\n"
        try await io.write(.output(.stderr(channel.allocator.buffer(string: message + newline))))
        try await io.write(.exit(status: 1))
        // The client's CLOSE reply means it has the message; then the connection can go. A client
        // that never replies loses the connection after a grace period all the same.
        guard let parent = channel.parent else {
            return
        }
        parent.eventLoop.scheduleTask(in: TimeAmount(Self.closeGracePeriod)) {
            parent.close(promise: nil)
        }
        try? await channel.closeFuture.get()
        parent.close(promise: nil)
    }

    private func reply(_ wantReply: Bool, success: Bool, on io: SessionChannelIO) async throws {
        if wantReply {
            try await io.write(.reply(success: success))
        }
    }
}
