import Foundation
import GantryCore
import GantryPorts
import Synchronization

extension InMemoryStore {
    // MARK: Sessions

    /// Builds the snapshot as FluentStore does, runs `decide` under the store's lock (shared with
    /// instance reservations) and inserts the session; nothing is written when `decide` throws,
    /// not even a first POSIX uid.
    /// - usage: the owner's holding instances and active sessions;
    /// - owner's names: the owner's active sessions;
    /// - devices: every stored inventory's schedulable devices; held: the devices of active sessions;
    /// - uid: the owner's, or the next free one from `firstPosixUID` up.
    /// `StoreError.notFound` without such a user; `StoreError.duplicate(field: "name")` when the
    /// owner has an active session of that name, `"gpu_uuid"` when an active session holds the device.
    public func reserveSession(
        ownerID: UUID, firstPosixUID: Int, decide: @escaping @Sendable (SessionReservationSnapshot) throws -> GPUSession
    ) async throws -> GPUSession {
        try state.withLock { state in
            guard let owner = state.users[ownerID] else { throw StoreError.notFound }
            let active = state.activeSessions
            let uid = state.posixUID(for: ownerID, first: firstPosixUID)
            var devices: [SchedulableGPUDevice] = []
            for stored in state.gpuInventories.values.sorted(by: { $0.node < $1.node }) {
                devices += SchedulableGPUDevice.devices(of: stored.inventory, node: stored.node)
            }
            let snapshot = SessionReservationSnapshot(
                owner: owner, usage: state.usage(ownerID: ownerID),
                ownerActiveSessionNames: Set(active.filter { $0.ownerID == ownerID }.map(\.name)),
                nodes: state.nodes.values.sorted { $0.name < $1.name }, allocated: state.allocations(),
                devices: devices, heldDevices: Set(active.compactMap(\.gpu?.deviceUUID)), posixUID: uid)
            let session = try decide(snapshot)
            try state.insert(session)
            state.posixUIDs[ownerID] = uid
            return session
        }
    }

    public func session(id: UUID) async throws -> GPUSession? { state.withLock { $0.sessions[id] } }

    /// The owner's active session with that name, else their newest with it.
    public func session(ownerID: UUID, name: String) async throws -> GPUSession? {
        state.withLock { state in
            let named = state.sessions.values.filter { $0.ownerID == ownerID && $0.name == name }
                .sorted { $0.createdAt > $1.createdAt }
            return named.first { $0.state.isActive } ?? named.first
        }
    }

    /// Newest first, then by name.
    public func listSessions(
        ownerID: UUID?, state wanted: SessionState?, skip: Int, limit: Int
    ) async throws -> Page<GPUSession> {
        state.withLock { state in
            let matching = state.sessions.values
                .filter { (ownerID == nil || $0.ownerID == ownerID) && (wanted == nil || $0.state == wanted) }
                .sorted { ($1.createdAt, $0.name) < ($0.createdAt, $1.name) }
            return Self.page(matching, skip: skip, limit: limit)
        }
    }

    /// Sessions creating or running, oldest first.
    public func activeSessions() async throws -> [GPUSession] { state.withLock { $0.activeSessions } }

    /// Compare-and-set: writes `session` only when the stored one is in `expected`. A write that
    /// would break a uniqueness rule throws `StoreError.duplicate`.
    public func updateSession(_ session: GPUSession, ifStateIs expected: SessionState) async throws -> Bool {
        try state.withLock { state in
            guard let stored = state.sessions[session.id], stored.state == expected else { return false }
            try state.checkSessionUnique(session)
            state.sessions[session.id] = session
            return true
        }
    }

    /// A running session's expiry moves to `until` when that is later; returns the stored expiry.
    public func extendSession(id: UUID, atLeast until: Date) async throws -> Date? {
        let now = clock.now
        return state.withLock { state in
            guard var session = state.sessions[id] else { return nil }
            if session.state == .running, session.expiresAt < until {
                session.expiresAt = until
                session.updatedAt = now
                state.sessions[id] = session
            }
            return session.expiresAt
        }
    }

    public func countSessionsByState() async throws -> [SessionState: Int] {
        state.withLock { state in
            var counts = Dictionary(uniqueKeysWithValues: SessionState.allCases.map { ($0, 0) })
            for session in state.sessions.values { counts[session.state, default: 0] += 1 }
            return counts
        }
    }

    /// Puts a session in as it is, in any state, under the uniqueness rules of a reservation;
    /// `posixUID` is recorded as the owner's uid unless they have one.
    public func seed(_ session: GPUSession) throws {
        try state.withLock { state in
            try state.insert(session)
            if state.posixUIDs[session.ownerID] == nil { state.posixUIDs[session.ownerID] = session.posixUID }
        }
    }

    // MARK: SSH keys

    /// One key per owner and fingerprint: `StoreError.duplicate(field: "fingerprint")`.
    public func createSSHKey(_ key: UserSSHKey) async throws {
        try state.withLock { state in
            guard
                state.sshKeys[key.id] == nil,
                // A key belongs to one account, as the database's unique index says.
                !state.sshKeys.values.contains(where: { $0.fingerprint == key.fingerprint })
            else { throw StoreError.duplicate(field: "fingerprint") }
            state.sshKeys[key.id] = key
        }
    }

    public func sshKeys(ownerID: UUID) async throws -> [UserSSHKey] {
        state.withLock { state in
            state.sshKeys.values.filter { $0.ownerID == ownerID }.sorted { $0.createdAt < $1.createdAt }
        }
    }

    public func sshKey(ownerID: UUID, fingerprint: String) async throws -> UserSSHKey? {
        state.withLock { state in
            state.sshKeys.values.first { $0.ownerID == ownerID && $0.fingerprint == fingerprint }
        }
    }

    public func deleteSSHKey(id: UUID, ownerID: UUID) async throws -> Bool {
        state.withLock { state in
            guard let key = state.sshKeys[id], key.ownerID == ownerID else { return false }
            state.sshKeys[id] = nil
            return true
        }
    }

    public func markSSHKeyUsed(id: UUID, at date: Date) async throws {
        state.withLock { state in state.sshKeys[id]?.lastUsedAt = date }
    }

    // MARK: GPU inventories

    public func saveGPUInventory(_ inventory: StoredGPUInventory) async throws {
        state.withLock { $0.gpuInventories[inventory.node] = inventory }
    }

    /// By node name.
    public func gpuInventories() async throws -> [StoredGPUInventory] {
        state.withLock { state in state.gpuInventories.values.sorted { $0.node < $1.node } }
    }

    // MARK: Web sessions

    /// `token_hash` is unique: `StoreError.duplicate(field: "token_hash")` (FluentStore leaves it
    /// to the database).
    public func createWebSession(_ session: WebSession) async throws {
        try state.withLock { state in
            guard state.webSessions[session.id] == nil else { throw StoreError.duplicate(field: "id") }
            guard !state.webSessions.values.contains(where: { $0.tokenHash == session.tokenHash }) else {
                throw StoreError.duplicate(field: "token_hash")
            }
            state.webSessions[session.id] = session
        }
    }

    public func webSession(tokenHash: String) async throws -> WebSession? {
        state.withLock { state in state.webSessions.values.first { $0.tokenHash == tokenHash } }
    }

    public func extendWebSession(id: UUID, lastSeenAt: Date, expiresAt: Date) async throws {
        state.withLock { state in
            state.webSessions[id]?.lastSeenAt = lastSeenAt
            state.webSessions[id]?.expiresAt = expiresAt
        }
    }

    public func deleteWebSession(tokenHash: String) async throws {
        state.withLock { state in state.webSessions = state.webSessions.filter { $0.value.tokenHash != tokenHash } }
    }

    public func deleteWebSessions(userID: UUID) async throws {
        state.withLock { state in state.webSessions = state.webSessions.filter { $0.value.userID != userID } }
    }

    /// Removes sessions whose expiry is at or before `now`.
    public func deleteExpiredWebSessions(now: Date) async throws -> Int {
        state.withLock { state in
            let before = state.webSessions.count
            state.webSessions = state.webSessions.filter { $0.value.expiresAt > now }
            return before - state.webSessions.count
        }
    }
}

extension InMemoryStore.State {
    mutating func insert(_ session: GPUSession) throws {
        guard sessions[session.id] == nil else { throw StoreError.duplicate(field: "id") }
        try checkSessionUnique(session)
        sessions[session.id] = session
    }

    /// The database's rules: among active sessions, one per owner and name and one per node and
    /// GPU device.
    func checkSessionUnique(_ session: GPUSession) throws {
        guard session.state.isActive else { return }
        let others = sessions.values.filter { $0.id != session.id && $0.state.isActive }
        if others.contains(where: { $0.ownerID == session.ownerID && $0.name == session.name }) {
            throw StoreError.duplicate(field: "name")
        }
        if let device = session.gpu?.deviceUUID,
            others.contains(where: { $0.node == session.node && $0.gpu?.deviceUUID == device })
        {
            throw StoreError.duplicate(field: "gpu_uuid")
        }
    }

    /// The user's uid, or the next one above the highest given (from `first` up). Not recorded:
    /// the reservation records it once the session is in.
    func posixUID(for userID: UUID, first: Int) -> Int {
        if let uid = posixUIDs[userID] { return uid }
        return max(first, (posixUIDs.values.max() ?? first - 1) + 1)
    }
}
