import Foundation
import GantryServices
import Logging
import NIOCore
import Synchronization

/// The gateway's open connections: enforces the connection limit, closes the connections of
/// users who lost access, and lets shutdown close them all.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        var connection: GatewayConnection?
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var accepting = true
        var admitted = 0
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// Adds `channel` unless the gateway is full or shutting down, and returns its number for
    /// logs; it leaves again when it closes.
    func admit(_ channel: any Channel) -> Int? {
        let number = state.withLock { state -> Int? in
            guard state.accepting, state.entries.count < limit else {
                return nil
            }
            state.entries[ObjectIdentifier(channel)] = Entry(channel: channel)
            state.admitted += 1
            return state.admitted
        }
        if number != nil {
            channel.closeFuture.whenComplete { _ in
                self.state.withLock { _ = $0.entries.removeValue(forKey: ObjectIdentifier(channel)) }
            }
        }
        return number
    }

    /// Links an admitted channel to what the gateway knows about its connection.
    func attach(_ connection: GatewayConnection, to channel: any Channel) {
        state.withLock { $0.entries[ObjectIdentifier(channel)]?.connection = connection }
    }

    /// The users signed in on open connections.
    var signedInUsers: Set<UUID> {
        state.withLock { state in Set(state.entries.values.compactMap { $0.connection?.grant?.userID }) }
    }

    /// Closes every connection signed in as one of `users`; returns how many.
    @discardableResult
    func close(signedInAs users: Set<UUID>) -> Int {
        guard !users.isEmpty else { return 0 }
        let entries = state.withLock { state in
            state.entries.values.filter { entry in entry.connection?.grant.map { users.contains($0.userID) } ?? false }
        }
        for entry in entries {
            entry.connection?.logger.notice("ssh connection closed: the account no longer has access")
            entry.channel.close(promise: nil)
        }
        return entries.count
    }

    /// Stops admitting, closes every open connection and waits until they are closed.
    func closeAll() async {
        let channels = state.withLock { state in
            state.accepting = false
            return state.entries.values.map(\.channel)
        }
        for channel in channels {
            channel.close(promise: nil)
        }
        for channel in channels {
            try? await channel.closeFuture.get()
        }
    }
}
