import NIOCore
import Synchronization

/// The gateway's open connections: enforces the connection limit and lets shutdown close them all.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
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
            guard state.accepting, state.channels.count < limit else {
                return nil
            }
            state.channels[ObjectIdentifier(channel)] = channel
            state.admitted += 1
            return state.admitted
        }
        if number != nil {
            channel.closeFuture.whenComplete { _ in
                self.state.withLock { _ = $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
            }
        }
        return number
    }

    /// Stops admitting, closes every open connection and waits until they are closed.
    func closeAll() async {
        let channels = state.withLock { state in
            state.accepting = false
            return Array(state.channels.values)
        }
        for channel in channels {
            channel.close(promise: nil)
        }
        for channel in channels {
            try? await channel.closeFuture.get()
        }
    }
}
