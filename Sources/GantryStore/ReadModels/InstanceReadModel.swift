import Foundation
import GantryCore
import GantryPorts
import Synchronization

/// The `instances` table held in memory for the hot reads: the API's listing, the dashboard's
/// live rows and the SSH gateway's target lookup. Each read first asks the database for the
/// table's generation (one tiny query; triggers bump it with every write, from any replica, see
/// `AddChangeGenerations`) and answers from memory while it is unchanged; after a change the
/// first reader reloads the table and the readers that arrive meanwhile wait for that one load.
/// The database stays the truth: nothing is answered from memory without that check.
final class InstanceReadModel: Sendable {
    /// One consistent copy of the table, in the listing's order (newest first, then by name).
    struct Snapshot: Sendable {
        let generation: Int
        let ordered: [Instance]
        let byID: [UUID: Instance]
        let byOwner: [UUID: [Instance]]

        init(generation: Int, ordered: [Instance]) {
            self.generation = generation
            self.ordered = ordered
            var byID: [UUID: Instance] = [:]
            byID.reserveCapacity(ordered.count)
            var byOwner: [UUID: [Instance]] = [:]
            for instance in ordered {
                byID[instance.id] = instance
                byOwner[instance.ownerID, default: []].append(instance)
            }
            self.byID = byID
            self.byOwner = byOwner
        }

        func page(ownerID: UUID?, skip: Int, limit: Int) -> Page<Instance> {
            let rows = ownerID.map { byOwner[$0] ?? [] } ?? ordered
            guard skip < rows.count, limit > 0 else { return Page(total: rows.count, items: []) }
            let end = skip + min(limit, rows.count - skip)
            return Page(total: rows.count, items: Array(rows[skip..<end]))
        }
    }

    private struct State {
        var snapshot: Snapshot?
        var loading: (generation: Int, task: Task<Snapshot, any Error>)?
    }

    private let state = Mutex(State())

    /// The snapshot for `generation` (or a newer one), loading it with `load` when memory holds
    /// an older one. `load` must read the table after `generation` was read, so a snapshot is
    /// never labelled newer than its rows.
    func snapshot(
        generation: Int, load: @escaping @Sendable () async throws -> [Instance]
    ) async throws -> Snapshot {
        let found: Found = state.withLock { state in
            if let snapshot = state.snapshot, snapshot.generation >= generation { return .ready(snapshot) }
            if let loading = state.loading, loading.generation >= generation { return .loading(loading.task) }
            let task = Task { [weak self] in
                do {
                    let snapshot = Snapshot(generation: generation, ordered: try await load())
                    self?.install(snapshot)
                    return snapshot
                } catch {
                    self?.loadFailed(generation: generation)
                    throw error
                }
            }
            state.loading = (generation, task)
            return .loading(task)
        }
        switch found {
        case .ready(let snapshot): return snapshot
        case .loading(let task): return try await task.value
        }
    }

    private enum Found {
        case ready(Snapshot)
        case loading(Task<Snapshot, any Error>)
    }

    private func install(_ snapshot: Snapshot) {
        state.withLock { state in
            if (state.snapshot?.generation ?? .min) < snapshot.generation { state.snapshot = snapshot }
            if state.loading?.generation == snapshot.generation { state.loading = nil }
        }
    }

    private func loadFailed(generation: Int) {
        state.withLock { state in
            if state.loading?.generation == generation { state.loading = nil }
        }
    }
}
