import Foundation

/// The reconciler's brain, as Nomad's scheduler is: it sees the recorded workloads and a
/// read-only observation of the engines, and returns a plan; the executor carries it out. It is
/// level-triggered: every pass plans from the whole picture, so a missed event or a restart
/// costs a pass, never a workload. One action per workload at most, plus the dangling sweep.
///
/// Rules, as InstanceReconciler and SessionService apply them today:
/// - Instances: desired absent → terminate; desired running and pending → launch; desired
///   stopped and pending, running or stopping → stop; a steady running or stopped instance whose
///   container is missing is failed, and a running one whose container exited is marked
///   stopped. Ended instances (terminated, failed) get nothing.
/// - Sessions: creating past the creation timeout → fail; running past `expiresAt` → expire
///   (both by the clock alone, whatever the engine says, as the TTL reaper does today); creating
///   → launch; running with its container gone or not running → fail. A session's desired state
///   follows its state, so the planner never terminates one: users end sessions.
/// - Job attempts are never launched or stopped here (the job worker owns the container); a live
///   attempt only protects its containers from the sweep.
/// - An unreachable engine gets no actions beyond the clock's and no sweep. A node without an
///   engine gets only the record-only terminate of instances that should be absent, and the
///   failure of sessions waiting to be created there.
/// - The sweep, on every engine that answered: a container past the grace whose `gantry.id`
///   names no live workload of its `gantry.kind` (none, or one that has ended), or one that has
///   another container recorded, or that carries no id at all, is removed. Containers of a kind
///   this version does not know are left alone: a newer replica may own them.
public enum ReconcilePlanner {
    public static func plan(
        desired: [Workload], observed: ObservedCluster, now: Date, policy: ReconcilePolicy = ReconcilePolicy()
    ) -> [ReconcileAction] {
        var planned: [(key: SortKey, action: ReconcileAction)] = []
        for workload in desired {
            let observation = observed.observation(ofNode: workload.node)
            let action: ReconcileAction? =
                switch workload.kind {
                case .instance: instanceAction(workload, observation)
                case .session: sessionAction(workload, observation, now: now, policy: policy)
                case .job: nil
                }
            if let action {
                planned.append(
                    (SortKey(node: workload.node, kind: workload.kind, id: workload.id.uuidString), action))
            }
        }
        let owners = Dictionary(grouping: desired) { OwnerKey(kind: $0.kind, id: $0.id) }
        for (node, observation) in observed.nodes {
            guard case .containers(let containers) = observation else { continue }
            for container in containers where isPastGrace(container, now: now, grace: policy.danglingGrace) {
                guard let kind = container.labels[ContainerLabels.kind].flatMap(WorkloadKind.init(rawValue:)),
                    let reason = danglingReason(container, kind: kind, owners: owners)
                else { continue }
                let label = container.labels[ContainerLabels.id] ?? ""
                planned.append(
                    (
                        SortKey(
                            node: node, kind: kind, id: UUID(uuidString: label)?.uuidString ?? label, dangling: true,
                            containerID: container.id),
                        .removeDangling(node: node, containerID: container.id, name: container.name, reason: reason)
                    ))
            }
        }
        return planned.sorted { $0.key < $1.key }.map(\.action)
    }

    // MARK: Instances

    private static func instanceAction(_ workload: Workload, _ observation: NodeObservation) -> ReconcileAction? {
        let reference = WorkloadReference(workload)
        guard workload.phase != .ended else { return nil }
        let containers: [ContainerObservation]
        switch observation {
        case .unreachable:
            return nil
        case .noRuntime:
            // Nothing to remove and nobody to ask: the record is all that is left.
            guard workload.desired == .absent else { return nil }
            return .terminate(reference, reason: "terminated; node '\(workload.node)' is gone")
        case .containers(let observed):
            containers = observed
        }
        switch (workload.desired, workload.phase) {
        case (.absent, _): return .terminate(reference, reason: "terminated")
        case (.running, .pending): return .launch(reference)
        case (.stopped, .pending), (.stopped, .running), (.stopped, .stopping): return .stop(reference)
        default: break
        }
        guard workload.phase == .running || workload.phase == .stopped, let containerID = workload.containerID else {
            return nil
        }
        guard let container = containers.first(where: { $0.id == containerID }) else {
            return .fail(reference, reason: "container was removed outside Gantry")
        }
        if workload.phase == .running, container.status == .exited || container.status == .dead {
            return .markStopped(reference, exitCode: container.exitCode)
        }
        return nil
    }

    // MARK: Sessions

    private static func sessionAction(
        _ workload: Workload, _ observation: NodeObservation, now: Date, policy: ReconcilePolicy
    ) -> ReconcileAction? {
        let reference = WorkloadReference(workload)
        switch workload.phase {
        case .pending:
            if now.timeIntervalSince(workload.createdAt) > policy.sessionCreationTimeout {
                return .fail(reference, reason: "creation did not finish")
            }
            switch observation {
            case .unreachable: return nil
            case .noRuntime: return .fail(reference, reason: "node '\(workload.node)' has no engine configured")
            case .containers: return .launch(reference)
            }
        case .running:
            if let expiresAt = workload.expiresAt, expiresAt <= now { return .expire(reference, ttlEnd: expiresAt) }
            guard case .containers(let containers) = observation, let containerID = workload.containerID else {
                return nil
            }
            guard let container = containers.first(where: { $0.id == containerID }) else {
                return .fail(reference, reason: "container disappeared")
            }
            guard container.status != .running else { return nil }
            let code = container.exitCode.map { " with exit code \($0)" } ?? ""
            return .fail(reference, reason: "container \(container.status.rawValue)\(code)")
        case .stopping, .stopped, .ending, .ended:
            return nil
        }
    }

    // MARK: Dangling containers

    private struct OwnerKey: Hashable {
        var kind: WorkloadKind
        var id: UUID
    }

    /// Young containers may be mid-creation; one whose creation time is unknown counts as old.
    private static func isPastGrace(_ container: ContainerObservation, now: Date, grace: TimeInterval) -> Bool {
        guard let createdAt = container.createdAt else { return true }
        return now.timeIntervalSince(createdAt) >= grace
    }

    /// Why `container` is dangling, or nil when a live workload of its kind owns it: one whose
    /// recorded container it is, or one with no container recorded yet (it is being created, or
    /// it is a job attempt, whose worker never records one).
    private static func danglingReason(
        _ container: ContainerObservation, kind: WorkloadKind, owners: [OwnerKey: [Workload]]
    ) -> String? {
        guard let label = container.labels[ContainerLabels.id], let id = UUID(uuidString: label) else {
            return "it carries no workload id"
        }
        let candidates = owners[OwnerKey(kind: kind, id: id)] ?? []
        guard !candidates.isEmpty else { return "no \(kind.rawValue) \(label) exists" }
        let live = candidates.filter { $0.phase != .ended }
        guard !live.isEmpty else { return "\(kind.rawValue) \(label) has ended" }
        if live.contains(where: { $0.containerID == nil || $0.containerID == container.id }) { return nil }
        let recorded = live.compactMap(\.containerID).map { String($0.prefix(12)) }.joined(separator: ", ")
        return "\(kind.rawValue) \(label) runs container \(recorded)"
    }

    // MARK: Order

    /// By node, then kind (in `WorkloadKind` order), then workload id; a workload's own action
    /// before the dangling containers carrying its id, and those by container id.
    private struct SortKey: Comparable {
        var node: String
        var kind: Int
        var id: String
        var dangling: Int
        var containerID: String

        init(node: String, kind: WorkloadKind, id: String, dangling: Bool = false, containerID: String = "") {
            self.node = node
            self.kind = WorkloadKind.allCases.firstIndex(of: kind) ?? WorkloadKind.allCases.count
            self.id = id
            self.dangling = dangling ? 1 : 0
            self.containerID = containerID
        }

        static func < (lhs: SortKey, rhs: SortKey) -> Bool {
            (lhs.node, lhs.kind, lhs.id, lhs.dangling, lhs.containerID)
                < (rhs.node, rhs.kind, rhs.id, rhs.dangling, rhs.containerID)
        }
    }
}
