import Foundation
import GantryServices
import Logging
import NIOCore
import Synchronization

/// The gateway's open connections: enforces the connection limit and the limits on connections
/// that have not signed in (`SSHStartupLimits`), keeps the penalties of addresses whose
/// connections never signed in, closes the connections of users who lost access, and lets
/// shutdown close them all.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        let source: String
        var connection: GatewayConnection?

        var signedIn: Bool { connection?.grant != nil }
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var accepting = true
        var admitted = 0
        /// Until when each penalised source address is refused.
        var penalties: [String: ContinuousClock.Instant] = [:]
    }

    /// Penalties kept at most; expired ones are dropped first, then the soonest to expire.
    private static let maximumPenalties = 65_536

    private let limit: Int
    private let startups: SSHStartupLimits
    private let roll: @Sendable () -> Int
    private let state = Mutex(State())

    init(
        limit: Int, startups: SSHStartupLimits = SSHStartupLimits(),
        roll: @escaping @Sendable () -> Int = { Int.random(in: 0..<100) }
    ) {
        self.limit = limit
        self.startups = startups
        self.roll = roll
    }

    /// Adds `channel`, from `source` (its address without the port), unless a limit refuses it;
    /// returns its number for logs. It leaves again when it closes, and a source whose
    /// connection ran out the login grace is penalised then.
    func admit(_ channel: any Channel, source: String) -> Result<Int, SSHStartupLimits.Refusal> {
        let now = ContinuousClock.now
        let roll = roll()
        let outcome = state.withLock { state -> Result<Int, SSHStartupLimits.Refusal> in
            guard state.accepting else { return .failure(.shuttingDown) }
            guard state.entries.count < limit else { return .failure(.tooManyConnections) }
            var unauthenticated = 0
            var fromSource = 0
            for entry in state.entries.values where !entry.signedIn {
                unauthenticated += 1
                if entry.source == source { fromSource += 1 }
            }
            let penalised = state.penalties[source].map { $0 > now } ?? false
            if let refusal = startups.refusal(
                unauthenticated: unauthenticated, fromSource: fromSource, penalised: penalised, roll: roll)
            {
                return .failure(refusal)
            }
            state.entries[ObjectIdentifier(channel)] = Entry(channel: channel, source: source)
            state.admitted += 1
            return .success(state.admitted)
        }
        if case .success = outcome {
            channel.closeFuture.whenComplete { _ in self.closed(channel) }
        }
        return outcome
    }

    private func closed(_ channel: any Channel) {
        state.withLock { state in
            guard let entry = state.entries.removeValue(forKey: ObjectIdentifier(channel)),
                entry.connection?.loginTimedOut == true
            else { return }
            penalise(entry.source, in: &state)
        }
    }

    private func penalise(_ source: String, in state: inout State) {
        let now = ContinuousClock.now
        let current = max(state.penalties[source] ?? now, now)
        state.penalties[source] = min(current + startups.graceExceededPenalty, now + startups.maximumPenalty)
        guard state.penalties.count > Self.maximumPenalties else { return }
        state.penalties = state.penalties.filter { $0.value > now }
        while state.penalties.count > Self.maximumPenalties,
            let soonest = state.penalties.min(by: { $0.value < $1.value })
        {
            state.penalties.removeValue(forKey: soonest.key)
        }
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
