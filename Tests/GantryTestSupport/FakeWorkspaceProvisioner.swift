import Foundation
import GantryPorts
import Synchronization

/// A `WorkspaceProvisioner` that only records what it was asked to prepare, or fails on demand.
public final class FakeWorkspaceProvisioner: WorkspaceProvisioner, Sendable {
    public struct Prepared: Sendable, Equatable {
        public var path: String
        public var uid: Int
        public var gid: Int

        public init(path: String, uid: Int, gid: Int) {
            self.path = path
            self.uid = uid
            self.gid = gid
        }
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    private struct State {
        var prepared: [Prepared] = []
        var failure: String?
    }

    private let state = Mutex(State())

    public init() {}

    /// Every workspace prepared so far, in order.
    public var prepared: [Prepared] { state.withLock { $0.prepared } }

    /// Makes every later call throw a `Failure` with this text; nil makes them succeed again.
    public func setFailure(_ message: String?) { state.withLock { $0.failure = message } }

    public func prepareWorkspace(path: String, uid: Int, gid: Int) async throws {
        try state.withLock { state in
            if let failure = state.failure { throw Failure(description: failure) }
            state.prepared.append(Prepared(path: path, uid: uid, gid: gid))
        }
    }
}
