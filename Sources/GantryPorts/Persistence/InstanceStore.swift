import Foundation
import GantryCore

public protocol InstanceStore: Sendable {
    /// Runs `decide` on a consistent snapshot while holding the scheduler lock, then inserts the
    /// instance it returns. Concurrent reservations are serialised, so quota and capacity checks
    /// made in `decide` hold when the row is written.
    func reserveInstance(
        ownerID: UUID, decide: @escaping @Sendable (ReservationSnapshot) throws -> Instance
    ) async throws -> Instance
    /// Gives the instance a new host port chosen by `choose` from the ports in use on its node.
    func reassignPort(instanceID: UUID, choose: @escaping @Sendable (Set<Int>) -> Int?) async throws -> Int?
    func instance(id: UUID) async throws -> Instance?
    func listInstances(ownerID: UUID?, skip: Int, limit: Int) async throws -> Page<Instance>
    /// Instances whose state is not `terminated`: the reconciler's work list.
    func liveInstances() async throws -> [Instance]
    func usage(ownerID: UUID) async throws -> ResourceAmount
    /// Writes `instance` only if the stored state is still `expected`; false when it changed.
    func updateInstance(_ instance: Instance, ifStateIs expected: InstanceState) async throws -> Bool
    func countInstancesByState() async throws -> [InstanceState: Int]
}
