import GantryPorts
import GantryServices
import NIOCore
import Synchronization

/// An exec session whose container disappears: a line of output, then the stream breaks and the
/// engine cannot say how the process ended.
final class VanishingExecSession: ContainerExecSession {
    struct Gone: Error {}

    private let step = Mutex(0)
    private let closeCalls = Atomic<Int>(0)

    var closeCount: Int {
        closeCalls.load(ordering: .relaxed)
    }

    func nextOutput() async throws -> ExecOutputChunk? {
        let current = step.withLock { step in
            defer { step += 1 }
            return step
        }
        if current == 0 {
            return .stdout(ByteBuffer(string: "started\n"))
        }
        try await Task.sleep(for: .milliseconds(200))
        throw Gone()
    }

    func send(_ bytes: ByteBuffer) async throws {}
    func finishInput() async throws {}
    func resize(_ size: TerminalSize) async throws {}

    func exitStatus() async throws -> Int32? {
        nil
    }

    func close() async {
        closeCalls.add(1, ordering: .relaxed)
    }
}
