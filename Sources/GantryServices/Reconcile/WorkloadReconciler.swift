import Foundation
import GantryCore
import GantryPorts
import Logging
import Synchronization

/// The one reconciler for every workload kind (issue 11), split as Nomad splits scheduler and
/// driver: each pass reads the recorded workloads and one container listing per node, asks the
/// pure `ReconcilePlanner` for a plan, and carries the actions out through the kind's driver.
/// Level-triggered and idempotent: a missed event or a restart costs a pass, never a workload.
/// Only the holder of the `reconciler` lease runs passes.
public final class WorkloadReconciler: Sendable {
    let store: any InstanceStore & SessionStore & JobStore & PluginStore & NodeStore & LeaseStore
    let runtimes: any ContainerRuntimeDirectory
    let instances: InstanceDriver
    let sessions: SessionService
    let installationID: String
    /// Where this installation's job attempts run, and what their containers are built from.
    let jobs: JobSettings
    let policy: ReconcilePolicy
    /// How long one engine may take to list its containers before the node counts as unreachable.
    let observeTimeout: Duration
    let clock: WallClock
    let logger: Logger
    /// Workloads with an action in progress; a pass skips them so slow pulls never run twice.
    private let inFlight = Mutex<Set<String>>([])
    /// Actions the engine deferred (it was unreachable or answered with a transient error), by
    /// claim key: retried with exponential backoff, logged once per new error, not every pass.
    private let deferrals = Mutex<[String: Deferral]>([:])

    struct Deferral {
        var error: String
        var failures: Int
        var retryAt: Date
    }

    /// The wait after `failures` deferrals in a row: 1 s, doubling, at most `maximumBackoff`.
    static func backoff(afterFailures failures: Int) -> TimeInterval {
        let doublings = min(max(failures, 1) - 1, 16)
        let wait = TimeInterval(1 << doublings)
        return min(maximumBackoff, wait)
    }

    static let maximumBackoff: TimeInterval = 16
    /// This process, as a lease holder among replicas that share the database.
    public let replicaID = UUID().uuidString.lowercased()

    public init(
        store: any InstanceStore & SessionStore & JobStore & PluginStore & NodeStore & LeaseStore,
        runtimes: any ContainerRuntimeDirectory, instances: InstanceDriver, sessions: SessionService,
        installationID: String, jobs: JobSettings, policy: ReconcilePolicy = ReconcilePolicy(),
        observeTimeout: Duration = .seconds(10), clock: WallClock = .system, logger: Logger
    ) {
        self.store = store
        self.runtimes = runtimes
        self.instances = instances
        self.sessions = sessions
        self.installationID = installationID
        self.jobs = jobs
        self.policy = policy
        self.observeTimeout = observeTimeout
        self.clock = clock
        self.logger = logger
    }

    /// Only one replica reconciles at a time. It renews the lease every pass; if it dies,
    /// another takes over once `duration` has passed.
    public func acquireLeadership(for duration: TimeInterval) async throws -> Bool {
        try await store.acquireLease("reconciler", holder: replicaID, duration: duration, now: clock.now)
    }

    /// A claimed action and the workload record it was planned from.
    public struct Work: Sendable {
        public let action: ReconcileAction
        let subject: Subject
    }

    enum Subject: Sendable {
        case instance(Instance)
        case session(GPUSession)
        case container
    }

    /// Plans a pass and claims up to `limit` actions whose workloads are not already being worked
    /// on; `perform` releases each claim. `truncated` says the limit left some out, so the caller
    /// should come back as soon as a slot frees up.
    public func claimWork(limit: Int = .max) async throws -> (work: [Work], truncated: Bool) {
        let (desired, records) = try await desiredWorkloads()
        let observed = await observe(nodes: Set(try await store.listNodes().map(\.name)).union(desired.map(\.node)))
        let plan = ReconcilePlanner.plan(desired: desired, observed: observed, now: clock.now, policy: policy)
        return inFlight.withLock { busy in
            var work: [Work] = []
            var skipped = 0
            let now = clock.now
            let planned: Set<String> = Set(plan.map { action in Self.claimKey(action) })
            let waiting: Set<String> = deferrals.withLock { (deferrals: inout [String: Deferral]) -> Set<String> in
                // A workload that no longer needs the action (deleted, or fixed by hand) forgets it.
                var still: [String: Deferral] = [:]
                var waiting: Set<String> = []
                for (key, deferral) in deferrals where planned.contains(key) {
                    still[key] = deferral
                    if deferral.retryAt > now { waiting.insert(key) }
                }
                deferrals = still
                return waiting
            }
            for action in plan {
                let key = Self.claimKey(action)
                guard !busy.contains(key), !waiting.contains(key) else { continue }
                guard busy.count < limit else {
                    skipped += 1
                    continue
                }
                let subject: Subject
                switch action.workload.flatMap({ records[$0.id] }) {
                case .some(let record): subject = record
                case .none:
                    guard action.workload == nil else { continue }
                    subject = .container
                }
                busy.insert(key)
                work.append(Work(action: action, subject: subject))
            }
            return (work, skipped > 0)
        }
    }

    /// Carries out one claimed action and releases its claim. Engine errors leave the state as
    /// it is: the next pass plans again.
    public func perform(_ work: Work) async {
        defer { _ = inFlight.withLock { $0.remove(Self.claimKey(work.action)) } }
        do {
            switch (work.subject, work.action) {
            case (.instance(let instance), _):
                try await instances.perform(work.action, on: instance)
            case (.session(let session), .launch):
                try await sessions.launch(session)
            case (.session(let session), .fail(_, let reason)):
                _ = try await sessions.end(session, on: .failed(reason: reason))
            case (.session(let session), .expire(_, let ttlEnd)):
                _ = try await sessions.end(session, on: .expired(ttlEnd: ttlEnd))
            case (.container, .removeDangling(let node, let containerID, let name, let reason)):
                try await removeDangling(node: node, containerID: containerID, name: name, reason: reason)
            default:
                logger.warning("reconcile action has no driver", metadata: ["action": "\(work.action)"])
            }
            if let recovered = deferrals.withLock({ $0.removeValue(forKey: Self.claimKey(work.action)) }) {
                logger.info(
                    "reconcile resumed",
                    metadata: ["action": "\(work.action)", "after_failures": "\(recovered.failures)"])
            }
        } catch let error as ContainerRuntimeError {
            deferred(work.action, error: error.description)
        } catch {
            logger.error("reconcile failed", metadata: ["action": "\(work.action)", "error": "\(error)"])
        }
    }

    /// Records a deferral: the action waits out its backoff, and the log says so once per error.
    private func deferred(_ action: ReconcileAction, error: String) {
        let now = clock.now
        let (isNew, wait) = deferrals.withLock { deferrals -> (Bool, TimeInterval) in
            let key = Self.claimKey(action)
            var entry = deferrals[key] ?? Deferral(error: "", failures: 0, retryAt: now)
            let isNew = entry.error != error
            entry.error = error
            entry.failures += 1
            let wait = Self.backoff(afterFailures: entry.failures)
            entry.retryAt = now.addingTimeInterval(wait)
            deferrals[key] = entry
            return (isNew, wait)
        }
        let metadata: Logger.Metadata = ["action": "\(action)", "error": "\(error)", "retry_in_s": "\(wait)"]
        if isNew {
            logger.warning("reconcile deferred", metadata: metadata)
        } else {
            logger.debug("reconcile deferred again", metadata: metadata)
        }
    }

    /// One whole pass, each action in turn: for tests and tools; the server runs passes with
    /// bounded concurrency (ReconcilerService).
    public func reconcileAll() async throws {
        for work in try await claimWork().work { await perform(work) }
    }

    // MARK: Desired

    /// Every workload that is live or should be cleaned up, with the records the drivers act on.
    func desiredWorkloads() async throws -> (workloads: [Workload], records: [UUID: Subject]) {
        var workloads: [Workload] = []
        var records: [UUID: Subject] = [:]
        for instance in try await store.liveInstances() {
            workloads.append(instance.workload)
            records[instance.id] = .instance(instance)
        }
        for session in try await store.activeSessions() {
            workloads.append(session.workload)
            records[session.id] = .session(session)
        }
        workloads += try await liveJobAttempts()
        return (workloads, records)
    }

    /// Attempts being run by some worker: they only protect their containers from the sweep (the
    /// worker owns the container), so their template is what the worker builds.
    private func liveJobAttempts() async throws -> [Workload] {
        let processing = try await store.listJobs(
            JobFilter(status: .processing), skip: 0, limit: 10_000, withPayloads: true
        ).items
        var plugins: [String: Plugin?] = [:]
        var attempts: [Workload] = []
        for job in processing {
            let key = "\(job.pluginName)@\(job.pluginVersion)"
            if plugins[key] == nil {
                plugins[key] = .some(try await store.plugin(name: job.pluginName, version: job.pluginVersion))
            }
            let plugin = plugins[key] ?? nil
            let resources = WorkloadResources(
                cpu: plugin?.resources.cpu ?? 0, memoryMB: plugin?.resources.memoryMB ?? 0,
                gpus: plugin?.resources.gpus ?? 0)
            let template =
                plugin.map {
                    ContainerTemplate.forJobAttempt(
                        job: job, attempt: job.attempts, plugin: $0, containerUser: jobs.containerUser,
                        pidsLimit: jobs.pidsLimit, tmpfsSizeMB: jobs.tmpfsSizeMB, nameSuffix: "")
                }
                // The plugin version was deleted under a running attempt: the attempt still owns
                // its container until its worker finishes or loses it.
                ?? ContainerTemplate(containerName: "", imageReference: key, pidsLimit: jobs.pidsLimit)
            attempts.append(
                .jobAttempt(job: job, attempt: job.attempts, node: jobs.node, resources: resources, template: template))
        }
        return attempts
    }

    // MARK: Observed

    /// One listing of this installation's containers per node, all nodes at once, each bounded by
    /// `observeTimeout`: a stuck engine makes its node unreachable for this pass, nothing more.
    func observe(nodes: Set<String>) async -> ObservedCluster {
        let labels = [ContainerLabels.installation: installationID]
        let timeout = observeTimeout
        return await withTaskGroup(of: (String, NodeObservation).self) { group in
            for node in nodes {
                guard let runtime = runtimes.runtime(forNode: node) else { continue }
                group.addTask {
                    let listing = await Self.firstOf(timeout: timeout) {
                        try await runtime.listContainers(labels: labels)
                    }
                    switch listing {
                    case .some(.success(let containers)): return (node, .containers(containers))
                    case .some(.failure(let error)): return (node, .unreachable(reason: "\(error)"))
                    case .none: return (node, .unreachable(reason: "listing containers took over \(timeout)"))
                    }
                }
            }
            var cluster = ObservedCluster()
            for await (node, observation) in group { cluster.nodes[node] = observation }
            return cluster
        }
    }

    /// The operation's result, or nil when `timeout` passed first (the operation is cancelled).
    private static func firstOf<T: Sendable>(
        timeout: Duration, _ operation: @escaping @Sendable () async throws -> T
    ) async -> Result<T, any Error>? {
        await withTaskGroup(of: Result<T, any Error>?.self) { group in
            group.addTask {
                do {
                    return .success(try await operation())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    // MARK: Actions

    private func removeDangling(node: String, containerID: String, name: String, reason: String) async throws {
        guard let runtime = runtimes.runtime(forNode: node) else { return }
        logger.warning(
            "removing a dangling container",
            metadata: [
                "node": "\(node)", "container": "\(containerID.prefix(12))", "name": "\(name)", "why": "\(reason)",
            ])
        try await runtime.removeContainer(id: containerID)
    }

    /// Actions are claimed per workload; dangling containers per container.
    private static func claimKey(_ action: ReconcileAction) -> String {
        switch action {
        case .removeDangling(let node, let containerID, _, _): "container \(node) \(containerID)"
        default: "workload \(action.workload?.id.uuidString ?? "")"
        }
    }
}
