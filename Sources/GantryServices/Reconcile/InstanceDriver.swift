import Foundation
import GantryCore
import GantryPorts
import Logging

/// Carries out the reconcile plan's actions for instances: the container toward its desired
/// state, and what was observed recorded as instance state. The only code that turns runtime
/// observations into recorded instance state; `WorkloadReconciler` decides when.
public struct InstanceDriver: Sendable {
    let store: any InstanceStore
    let runtimes: any ContainerRuntimeDirectory
    let settings: InstanceSettings
    let clock: WallClock
    let logger: Logger

    public init(
        store: any InstanceStore, runtimes: any ContainerRuntimeDirectory, settings: InstanceSettings,
        clock: WallClock = .system, logger: Logger
    ) {
        self.store = store
        self.runtimes = runtimes
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    /// One planned action for `instance` (as the plan read it). Runtime errors propagate: the
    /// state is left as it is and the next pass plans again.
    public func perform(_ action: ReconcileAction, on instance: Instance) async throws {
        guard let runtime = runtimes.runtime(forNode: instance.node) else {
            if case .terminate(_, let reason) = action { try await record(instance, .terminated(reason: reason)) }
            return
        }
        switch action {
        case .launch:
            try await launch(instance, on: runtime)
        case .stop:
            try await stop(instance, on: runtime)
        case .terminate(_, let reason):
            if let containerID = instance.containerID { try await runtime.removeContainer(id: containerID) }
            try await record(instance, .terminated(reason: reason))
        case .fail(_, let reason):
            try await fail(instance, runtime: runtime, reason: reason)
        case .markStopped(_, let exitCode):
            try await record(instance, .exitedUnexpectedly(exitCode: exitCode))
        case .expire, .removeDangling:
            break
        }
    }

    private func stop(_ instance: Instance, on runtime: any ContainerRuntime) async throws {
        if let containerID = instance.containerID {
            do {
                try await runtime.stopContainer(id: containerID, timeoutSeconds: settings.stopTimeoutSeconds)
            } catch ContainerRuntimeError.notFound {
                try await fail(instance, runtime: runtime, reason: "container was removed outside Gantry")
                return
            }
        }
        try await record(instance, .stopped())
    }

    /// Makes sure the instance's image is on the engine, pulling it if need be. False when the
    /// image can never be had (the pull failed, or the engine refuses the reference, which no
    /// retry fixes) and the instance has been failed with the reason instead of waiting forever.
    private func imageIsReady(for instance: Instance, on runtime: any ContainerRuntime) async throws -> Bool {
        let reference = instance.imageReference
        do {
            if try await !runtime.imageExists(reference) {
                logger.info("pulling image", metadata: ["reference": "\(reference)"])
                try await runtime.pullImage(reference)
            }
            return true
        } catch {
            guard let reason = permanentFailure(of: reference, error) else { throw error }
            try await fail(instance, runtime: runtime, reason: reason)
            return false
        }
    }

    /// Why the image can never be had, for errors no retry fixes (a failed pull, a reference the
    /// engine refuses); nil for transient ones.
    private func permanentFailure(of reference: String, _ error: ContainerRuntimeError) -> String? {
        switch error {
        case .imagePullFailed(_, let detail):
            logger.warning("image pull failed", metadata: ["reference": "\(reference)", "error": "\(detail)"])
            return "image \(reference) could not be pulled: \(AddressRedaction.redacted(detail))"
        case .engine(let status, let message) where status >= 400 && status < 500:
            logger.warning(
                "image refused by the engine",
                metadata: ["reference": "\(reference)", "status": "\(status)", "error": "\(message)"])
            return "image \(reference) was refused by the engine (\(status)): \(AddressRedaction.redacted(message))"
        default:
            return nil
        }
    }

    /// pending → running: image, container, start, with a new port if the host's is taken.
    private func launch(_ instance: Instance, on runtime: any ContainerRuntime) async throws {
        var instance = instance
        if instance.containerID == nil {
            guard try await imageIsReady(for: instance, on: runtime) else { return }
        }
        for _ in 0..<8 {
            if instance.containerID == nil {
                guard let created = try await createContainer(for: instance, on: runtime) else { return }
                instance = created
            }
            guard let containerID = instance.containerID else { return }
            do {
                try await runtime.startContainer(id: containerID)
                try await record(instance, .containerStarted)
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
        created.updatedAt = clock.now
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
        try await record(failed, .failed(reason: reason))
    }

    /// Records what happened through the instance state machine, compare-and-set on the state
    /// the action was planned from. A refused or lost write means the record moved on meanwhile
    /// (a user's request): the next pass plans from the new state.
    private func record(_ instance: Instance, _ event: InstanceEvent) async throws {
        let transition: StateTransition<InstanceState>
        do {
            transition = try instance.state.transition(on: event, at: clock.now)
        } catch {
            logger.info("instance moved on; not recorded", metadata: ["instance": "\(instance.id)", "why": "\(error)"])
            return
        }
        if try await store.updateInstance(instance.applying(transition), ifStateIs: transition.from) {
            logger.info(
                "instance state changed",
                metadata: [
                    "instance": "\(instance.id)", "from": "\(transition.from.rawValue)",
                    "to": "\(transition.to.rawValue)",
                    "reason": "\(transition.reason)",
                ])
        }
    }
}
