import Foundation
import GantryCore
import GantryPorts
import Logging
import Synchronization

/// Drives each instance's container toward its desired state and records what it observes.
/// Level-triggered and idempotent: every pass looks at the whole picture, so a missed event or a
/// Gantry restart costs nothing but a pass. The only code that turns runtime observations into
/// recorded instance state.
public final class InstanceReconciler: Sendable {
    let store: any Store
    let runtimes: any ContainerRuntimeDirectory
    let settings: InstanceSettings
    let logger: Logger
    /// Instances with work in progress; a pass skips them so slow pulls never run twice.
    private let inFlight = Mutex<Set<UUID>>([])
    /// This process, as a lease holder among replicas that share the database.
    public let replicaID = UUID().uuidString.lowercased()

    public init(store: any Store, runtimes: any ContainerRuntimeDirectory, settings: InstanceSettings, logger: Logger) {
        self.store = store
        self.runtimes = runtimes
        self.settings = settings
        self.logger = logger
    }

    /// Only one replica reconciles at a time: the holder of the `reconciler` lease. It renews the
    /// lease every pass; if it dies, another takes over once `duration` has passed.
    public func acquireLeadership(for duration: TimeInterval) async throws -> Bool {
        try await store.acquireLease("reconciler", holder: replicaID, duration: duration, now: Date())
    }

    /// Instances that need attention now and are not already being worked on, at most `limit`
    /// in flight at once. Claims them; `reconcile` releases each claim. `truncated` says the
    /// limit left some out, so the caller should come back as soon as a slot frees up.
    public func claimWork(limit: Int = .max) async throws -> (instances: [Instance], truncated: Bool) {
        let live = try await store.liveInstances()
        return inFlight.withLock { busy in
            let candidates = live.filter { Self.needsAction($0) && !busy.contains($0.id) }
            let work = Array(candidates.prefix(max(limit - busy.count, 0)))
            busy.formUnion(work.map(\.id))
            return (work, work.count < candidates.count)
        }
    }

    /// Reconciles one claimed instance and releases the claim.
    public func reconcile(_ instance: Instance) async {
        defer { release(instance.id) }
        do {
            try await drive(instance)
        } catch let error as ContainerRuntimeError {
            // The engine is unreachable or hiccuped: leave the state, try again next pass.
            logger.warning(
                "reconcile deferred", metadata: ["instance": "\(instance.id)", "error": "\(error.description)"])
        } catch {
            logger.error("reconcile failed", metadata: ["instance": "\(instance.id)", "error": "\(error)"])
        }
    }

    /// One whole pass, each instance in turn.
    public func reconcileAll() async throws {
        for instance in try await claimWork().instances { await reconcile(instance) }
        try await observeSteadyInstances()
        try await removeOrphans()
    }

    /// Whether the instance's recorded state differs from what its user asked for, so the
    /// reconciler has to act; steady instances are only observed, in bulk.
    static func needsAction(_ instance: Instance) -> Bool {
        switch (instance.desiredState, instance.state) {
        case (.terminated, .terminated): false
        case (.terminated, _): true
        case (.running, .pending): true
        case (.stopped, .stopping), (.stopped, .running), (.stopped, .pending): true
        default: false
        }
    }

    /// Notices containers killed or removed behind Gantry's back: one container listing per node
    /// instead of an inspect per instance, so a large fleet costs the engine one call a pass.
    public func observeSteadyInstances() async throws {
        let steady = try await store.liveInstances().filter { instance in
            !Self.needsAction(instance) && (instance.state == .running || instance.state == .stopped)
                && instance.containerID != nil
        }
        for (node, instances) in Dictionary(grouping: steady, by: \.node) {
            guard let runtime = runtimes.runtime(forNode: node) else { continue }
            let containers = try await runtime.listContainers(labels: [
                ContainerLabels.installation: settings.installationID, ContainerLabels.kind: "instance",
            ])
            let byID = Dictionary(containers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for instance in instances where claim(instance.id) {
                defer { release(instance.id) }
                guard let containerID = instance.containerID, let container = byID[containerID] else {
                    try await fail(instance, runtime: runtime, reason: "container was removed outside Gantry")
                    continue
                }
                if instance.state == .running, [.exited, .dead].contains(container.status) {
                    var stopped = instance
                    stopped.desiredState = .stopped
                    let code = container.exitCode.map { " with code \($0)" } ?? ""
                    try await record(stopped, .stopped, reason: "container exited unexpectedly\(code)")
                }
            }
        }
    }

    private func claim(_ id: UUID) -> Bool { inFlight.withLock { $0.insert(id).inserted } }
    private func release(_ id: UUID) { _ = inFlight.withLock { $0.remove(id) } }

    private func drive(_ instance: Instance) async throws {
        guard let runtime = runtimes.runtime(forNode: instance.node) else {
            if instance.desiredState == .terminated {
                try await record(instance, .terminated, reason: "terminated; node '\(instance.node)' is gone")
            }
            return
        }
        switch (instance.desiredState, instance.state) {
        case (.terminated, _):
            if let containerID = instance.containerID { try await runtime.removeContainer(id: containerID) }
            try await record(instance, .terminated, reason: "terminated")
        case (.running, .pending):
            try await launch(instance, on: runtime)
        case (.stopped, .stopping), (.stopped, .running), (.stopped, .pending):
            if let containerID = instance.containerID {
                do {
                    try await runtime.stopContainer(id: containerID, timeoutSeconds: settings.stopTimeoutSeconds)
                } catch ContainerRuntimeError.notFound {
                    try await fail(instance, runtime: runtime, reason: "container was removed outside Gantry")
                    return
                }
            }
            try await record(instance, .stopped, reason: "stopped")
        default:
            break
        }
    }

    /// pending → running: image, container, start, with a new port if the host's is taken.
    private func launch(_ instance: Instance, on runtime: any ContainerRuntime) async throws {
        var instance = instance
        if instance.containerID == nil {
            do {
                if try await !runtime.imageExists(instance.imageReference) {
                    logger.info("pulling image", metadata: ["reference": "\(instance.imageReference)"])
                    try await runtime.pullImage(instance.imageReference)
                }
            } catch ContainerRuntimeError.imagePullFailed(let reference, let detail) {
                try await fail(instance, runtime: runtime, reason: "image \(reference) could not be pulled: \(detail)")
                return
            }
        }
        for _ in 0..<8 {
            if instance.containerID == nil {
                guard let created = try await createContainer(for: instance, on: runtime) else { return }
                instance = created
            }
            guard let containerID = instance.containerID else { return }
            do {
                try await runtime.startContainer(id: containerID)
                try await record(instance, .running, reason: "running")
                return
            } catch ContainerRuntimeError.portInUse(let detail) {
                logger.warning(
                    "host port taken, choosing another",
                    metadata: [
                        "instance": "\(instance.id)", "port": "\(instance.hostPort ?? 0)", "detail": "\(detail)",
                    ])
                guard let moved = try await movePort(instance, containerID: containerID, on: runtime) else { return }
                instance = moved
            } catch ContainerRuntimeError.notFound {
                // Removed between create and start: create it again.
                instance.containerID = nil
            } catch ContainerRuntimeError.engine(let status, let message) {
                try await fail(instance, runtime: runtime, reason: "container failed to start (\(status)): \(message)")
                return
            }
        }
        try await fail(instance, runtime: runtime, reason: "no free host port could be bound on node \(instance.node)")
    }

    private func createContainer(for instance: Instance, on runtime: any ContainerRuntime) async throws -> Instance? {
        guard let hostPort = instance.hostPort, hostPort > 0 else {
            try await fail(instance, runtime: runtime, reason: "no host port is allocated")
            return nil
        }
        // The container recorded at launch, not the catalog's current idea of the image.
        let spec = ContainerSpecBuilder.spec(for: instance.workload, installationID: settings.installationID)
        let containerID: String
        switch await creation(spec, on: runtime) {
        case .success(let id):
            containerID = id
        case .failure(.engine(let status, let message)):
            try await fail(instance, runtime: runtime, reason: "container could not be created (\(status)): \(message)")
            return nil
        case .failure(let error):
            throw error
        }
        var created = instance
        created.containerID = containerID
        created.updatedAt = Date()
        guard try await store.updateInstance(created, ifStateIs: instance.state) else {
            // The user changed their mind meanwhile (stop/terminate): undo, the next pass decides.
            try await runtime.removeContainer(id: containerID)
            return nil
        }
        return created
    }

    /// Creates the container; a container of ours with the same name that survived a crash
    /// before its id was recorded is removed first.
    private func createReplacingStale(
        _ spec: ContainerSpec, on runtime: any ContainerRuntime
    )
        async throws(ContainerRuntimeError) -> String
    {
        do {
            return try await runtime.createContainer(spec)
        } catch {
            guard case .engine(409, _) = error else { throw error }
        }
        try await runtime.removeContainer(id: spec.name)
        return try await runtime.createContainer(spec)
    }

    private func creation(
        _ spec: ContainerSpec, on runtime: any ContainerRuntime
    ) async
        -> Result<String, ContainerRuntimeError>
    {
        do {
            return .success(try await createReplacingStale(spec, on: runtime))
        } catch {
            return .failure(error)
        }
    }

    private func movePort(
        _ instance: Instance, containerID: String, on runtime: any ContainerRuntime
    ) async throws
        -> Instance?
    {
        try await runtime.removeContainer(id: containerID)
        let range = settings.portRange
        let taken = instance.hostPort
        let port = try await store.reassignPort(instanceID: instance.id) { used in
            var excluded = used
            if let taken { excluded.insert(taken) }
            return PortAllocator.lowestFree(in: range, used: excluded, excluded: [])
        }
        guard let port else {
            try await fail(instance, runtime: runtime, reason: "no free host port left on node \(instance.node)")
            return nil
        }
        var moved = instance
        moved.hostPort = port
        moved.containerID = nil
        return moved
    }

    private func fail(_ instance: Instance, runtime: any ContainerRuntime, reason: String) async throws {
        if let containerID = instance.containerID { try? await runtime.removeContainer(id: containerID) }
        var failed = instance
        failed.containerID = nil
        try await record(failed, .failed, reason: reason)
    }

    /// Records a state change with its time and reason. Resources are released on terminal states.
    private func record(_ instance: Instance, _ state: InstanceState, reason: String) async throws {
        var next = instance
        let now = Date()
        next.state = state
        next.stateReason = reason
        next.stateChangedAt = now
        next.updatedAt = now
        if !state.holdsResources {
            next.hostPort = nil
            if state == .terminated { next.containerID = nil }
        }
        if try await store.updateInstance(next, ifStateIs: instance.state) {
            logger.info(
                "instance state changed",
                metadata: [
                    "instance": "\(instance.id)", "from": "\(instance.state.rawValue)", "to": "\(state.rawValue)",
                    "reason": "\(reason)",
                ])
        }
    }

    /// Removes containers that carry this installation's labels but have no live instance.
    /// Containers are listed before records are read: a record always exists before its
    /// container, so a container created during the sweep is never mistaken for an orphan.
    public func removeOrphans() async throws {
        for node in try await store.listNodes() {
            guard let runtime = runtimes.runtime(forNode: node.name) else { continue }
            let containers: [ContainerObservation]
            do {
                containers = try await runtime.listContainers(labels: [
                    ContainerLabels.installation: settings.installationID, ContainerLabels.kind: "instance",
                ])
            } catch {
                continue
            }
            guard !containers.isEmpty else { continue }
            var live: [String: String?] = [:]
            for instance in try await store.liveInstances() { live[instance.id.uuidString] = instance.containerID }
            for container in containers {
                let instanceID = container.labels[ContainerLabels.id] ?? ""
                // A live instance whose id is not yet recorded is being created: leave it.
                if let recorded = live[instanceID], recorded == nil || recorded == container.id { continue }
                logger.warning(
                    "removing orphan container",
                    metadata: [
                        "container": "\(container.id.prefix(12))", "name": "\(container.name)",
                        "instance": "\(container.labels[ContainerLabels.id] ?? "-")",
                    ])
                try? await runtime.removeContainer(id: container.id)
            }
        }
    }
}
