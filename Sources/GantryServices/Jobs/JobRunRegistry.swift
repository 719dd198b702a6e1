import Foundation
import GantryPorts
import Synchronization

/// The attempts this server is running, by job, so a cancel made here stops its container at once
/// (other replicas' cancels arrive with the next lease renewal).
public final class JobRunRegistry: Sendable {
    private let runs = Mutex<[UUID: JobRunControl]>([:])

    public init() {}

    func register(_ jobID: UUID, _ control: JobRunControl) { runs.withLock { $0[jobID] = control } }

    func unregister(_ jobID: UUID) { runs.withLock { _ = $0.removeValue(forKey: jobID) } }

    func control(_ jobID: UUID) -> JobRunControl? { runs.withLock { $0[jobID] } }

    var jobIDs: [UUID] { runs.withLock { Array($0.keys) } }

    var count: Int { runs.withLock { $0.count } }

    var controls: [JobRunControl] { runs.withLock { Array($0.values) } }

    /// Stops the attempt of `jobID` if it runs here; returns whether it did.
    @discardableResult
    public func stop(_ jobID: UUID, _ reason: JobRunControl.StopReason) async -> Bool {
        guard let control = control(jobID) else { return false }
        await control.stop(reason)
        return true
    }
}
