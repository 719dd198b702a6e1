import Foundation
import GantryCore
import GantryPorts
import Logging

/// GPU sessions (seed 001): create with an exclusive GPU device and a persistent workspace,
/// list, extend, end; and the loops that expire them and notice containers that died.
public struct SessionService: Sendable {
    let store: any SessionStore & UserStore & ImageStore & GPUInventoryStore
    let runtimes: any ContainerRuntimeDirectory
    let workspaces: any WorkspaceProvisioner
    let settings: SessionSettings
    let instanceSettings: InstanceSettings
    let trigger: ReconcileTrigger
    let clock: WallClock
    let logger: Logger

    public init(
        store: any SessionStore & UserStore & ImageStore & GPUInventoryStore, runtimes: any ContainerRuntimeDirectory,
        workspaces: any WorkspaceProvisioner,
        settings: SessionSettings, instanceSettings: InstanceSettings, trigger: ReconcileTrigger,
        clock: WallClock = .system, logger: Logger
    ) {
        self.store = store
        self.runtimes = runtimes
        self.workspaces = workspaces
        self.settings = settings
        self.instanceSettings = instanceSettings
        self.trigger = trigger
        self.clock = clock
        self.logger = logger
    }

    // MARK: Create

    public func create(_ request: SessionRequest, by caller: Principal) async throws -> GPUSession {
        let validated = try ValidatedSessionRequest(request, settings: settings)
        let owner = try await targetUser(request.user, caller: caller)
        let (image, reference) = try await resolveImage(request.image ?? settings.defaultImage, by: caller)
        let settings = self.settings
        let defaultQuota = instanceSettings.defaultQuota
        let pidsLimit = instanceSettings.pidsLimit
        let now = clock.now
        let sessionID = UUID()
        let reserved: GPUSession
        do {
            reserved = try await store.reserveSession(ownerID: owner.id, firstPosixUID: settings.firstPosixUID) {
                snapshot in
                try Self.decide(
                    validated, id: sessionID, image: image, reference: reference, snapshot: snapshot,
                    settings: settings, defaultQuota: defaultQuota, pidsLimit: pidsLimit, now: now)
            }
        } catch StoreError.duplicate(let field) {
            throw field == "name"
                ? GantryError(
                    .conflict, code: "duplicate_name",
                    detail: "\(owner.username) already has an active session with that name")
                : GantryError.conflict("the GPU device was taken meanwhile; try again")
        }
        logger.info(
            "session reserved",
            metadata: [
                "session": "\(reserved.id)", "user": "\(owner.username)", "node": "\(reserved.node)",
                "gpu": "\(reserved.gpu?.deviceUUID ?? "-")", "allocation": "\((reserved.gpu?.kind ?? .none).rawValue)",
                "by": "\(caller.user.username)",
            ])
        trigger.poke()
        return try await awaitRunning(reserved)
    }

    /// The reconciler creates the container (on whichever replica holds its lease); the request
    /// waits a bounded time for the outcome, so the answer still says `running` or why not.
    private func awaitRunning(_ reserved: GPUSession) async throws -> GPUSession {
        let deadline = ContinuousClock.now + settings.creationWait
        var current = reserved
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            guard let latest = try await store.session(id: reserved.id) else { break }
            current = latest
            switch latest.state {
            case .creating: continue
            case .running: return latest
            case .failed:
                throw GantryError(
                    .unavailable, code: "session_failed", detail: latest.stateReason ?? "the session failed to start")
            case .expired, .terminated:
                return latest
            }
        }
        throw GantryError(
            .unavailable, code: "session_not_ready",
            detail: "session \(current.name) is still being created after \(settings.creationWait); "
                + "it keeps going: see GET /api/v1/sessions/\(current.id.uuidString.lowercased())")
    }

    /// The reservation decision on one consistent snapshot: name, quota, node and GPU device.
    static func decide(
        _ request: ValidatedSessionRequest, id: UUID, image: String, reference: String,
        snapshot: SessionReservationSnapshot, settings: SessionSettings, defaultQuota: QuotaLimits, pidsLimit: Int,
        now: Date
    ) throws(GantryError) -> GPUSession {
        let name = request.name ?? "s-" + id.uuidString.prefix(8).lowercased()
        guard !snapshot.ownerActiveSessionNames.contains(name) else {
            throw GantryError(
                .conflict, code: "duplicate_name",
                detail: "\(snapshot.owner.username) already has an active session named '\(name)'")
        }
        let resources = ResourceAmount(
            instances: 0, cpu: request.cpu, memoryMB: request.memoryMB, gpus: request.gpu.wantsGPU ? 1 : 0)
        let limits = snapshot.owner.quotaOverride.applied(to: defaultQuota)
        try QuotaPolicy.check(request: resources, usage: snapshot.usage, limits: limits)
        let loads = snapshot.nodes.map { node in
            NodeLoad(
                name: node.name, status: node.status, capacity: node.capacity,
                allocated: snapshot.allocated[node.name] ?? .zero, freePorts: 1)
        }
        // Nodes that could take the CPU and memory; GPUs are matched by device below.
        let cpuMemory = ResourceAmount(instances: 0, cpu: request.cpu, memoryMB: request.memoryMB, gpus: 0)
        let fitting = Set(
            loads.filter {
                if case .placed = PlacementPolicy.place(cpuMemory, on: [$0]) { return true }
                return false
            }.map(\.name))
        let node: String
        let gpu: GPUAssignment?
        if request.gpu.wantsGPU {
            guard
                let choice = try GPUAllocationPolicy.choose(
                    request.gpu, devices: snapshot.devices, held: snapshot.heldDevices, eligibleNodes: fitting)
            else { throw GantryError(.internalFailure, code: "internal_error", detail: "no GPU choice made") }
            node = choice.node
            gpu = choice.assignment
        } else {
            switch PlacementPolicy.place(cpuMemory, on: loads) {
            case .placed(let name):
                node = name
            case .unschedulable(let shortfalls):
                let summary = shortfalls.map { "\($0.node): \($0.reasons.joined(separator: "; "))" }
                    .joined(separator: " | ")
                throw GantryError(
                    .insufficientCapacity, code: "insufficient_capacity",
                    detail: "no node can take this session: \(summary)", shortfalls: shortfalls)
            }
            gpu = nil
        }
        let workspace = (settings.workspaceRoot as NSString).appendingPathComponent(snapshot.owner.username)
        return GPUSession(
            id: id, name: name, ownerID: snapshot.owner.id, node: node, image: image, imageReference: reference,
            cpu: request.cpu, memoryMB: request.memoryMB, requestedProfile: request.gpu.description, gpu: gpu,
            state: .creating, stateReason: "creating the container", workspacePath: workspace,
            posixUID: snapshot.posixUID, createdAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(request.ttlMinutes * 60)),
            template: .forSession(
                id: id, name: name, ownerUsername: snapshot.owner.username, imageReference: reference,
                workspacePath: workspace, posixUID: snapshot.posixUID, network: settings.network,
                gpuAttach: settings.gpuAttach, pidsLimit: pidsLimit))
    }

    /// The reconciler's launch of a creating session: workspace, network, image, container,
    /// start, account. A failure fails the session, which frees its device; a session ended
    /// meanwhile gets its container taken away again.
    public func launch(_ reserved: GPUSession) async throws {
        var session = reserved
        guard let runtime = runtimes.runtime(forNode: session.node) else {
            return try await fail(session, reason: "node '\(session.node)' has no engine configured")
        }
        guard let owner = try await store.user(id: session.ownerID) else {
            return try await fail(session, reason: "the session's owner no longer exists")
        }
        do {
            try await workspaces.prepareWorkspace(
                path: session.workspacePath, uid: session.posixUID, gid: session.posixUID)
        } catch {
            return try await fail(session, reason: "preparing the workspace failed: \(error)")
        }
        do {
            // By id: a name can be ambiguous when another process raced us creating it.
            let template = session.template
            let network =
                template.isolatedNetwork
                ? try await runtime.ensureNetwork(template.network ?? settings.network, isolated: true, labels: [:])
                : nil
            if try await !runtime.imageExists(session.imageReference) {
                try await runtime.pullImage(session.imageReference)
            }
            let spec = ContainerSpecBuilder.spec(
                for: session.workload, installationID: instanceSettings.installationID, networkID: network)
            let id = try await runtime.createContainer(spec)
            session.containerID = id
            try await runtime.startContainer(id: id)
        } catch {
            if let id = session.containerID { try? await runtime.removeContainer(id: id) }
            logger.warning(
                "starting a session's container failed", metadata: ["session": "\(session.id)", "error": "\(error)"])
            return try await fail(
                session, reason: "starting the container failed: \(AddressRedaction.redacted("\(error)"))")
        }
        await addAccount(owner: owner, session: session, runtime: runtime)
        let transition = try session.state.transition(on: .containerRunning, at: clock.now)
        if try await store.updateSession(session.applying(transition), ifStateIs: transition.from) {
            logger.info(
                "session running",
                metadata: [
                    "session": "\(session.id)", "user": "\(owner.username)",
                    "container": "\(session.containerID ?? "")",
                ])
            return
        }
        // Ended while we were creating it (deleted or expired): take the container away again.
        if let id = session.containerID { try? await runtime.removeContainer(id: id) }
    }

    /// Gives the session's uid a name inside the container: tools such as sftp-server, scp and
    /// shells look the user up in /etc/passwd. Root in the container may write the image's own
    /// files even with every capability dropped; a read-only image only loses the name.
    private func addAccount(owner: User, session: GPUSession, runtime: any ContainerRuntime) async {
        guard let executor = runtime.capabilities.exec, let container = session.containerID else { return }
        let uid = session.posixUID
        let name = owner.username
        let script =
            "grep -q '^\(name):' /etc/passwd 2>/dev/null"
            + " || echo '\(name):x:\(uid):\(uid):\(name):/workspace:/bin/sh' >> /etc/passwd;"
            + " grep -q '^\(name):' /etc/group 2>/dev/null || echo '\(name):x:\(uid):' >> /etc/group"
        do {
            let process = try await executor.exec(
                ExecCommand(containerID: container, argv: ["/bin/sh", "-c", script], user: "0:0"))
            try await process.finishInput()
            while try await process.nextOutput() != nil {}
            let status = try await process.exitStatus()
            await process.close()
            if status != 0 {
                logger.warning("could not add the session user to /etc/passwd", metadata: ["session": "\(session.id)"])
            }
        } catch {
            logger.warning(
                "could not add the session user to /etc/passwd",
                metadata: ["session": "\(session.id)", "error": "\(error)"])
        }
    }

    private func fail(_ session: GPUSession, reason: String) async throws {
        let transition = try session.state.transition(on: .failed(reason: reason), at: clock.now)
        _ = try await store.updateSession(session.applying(transition), ifStateIs: transition.from)
        logger.error("session failed", metadata: ["session": "\(session.id)", "reason": "\(reason)"])
    }

    private func targetUser(_ reference: String?, caller: Principal) async throws -> User {
        guard let reference, !reference.isEmpty else {
            guard caller.isAdmin || settings.selfService else {
                throw GantryError.forbidden("sessions are created by an admin here")
            }
            return caller.user
        }
        guard let user = try await lookupUser(reference) else {
            // Non-admins learn nothing about who exists.
            throw caller.isAdmin
                ? GantryError.notFound("user '\(reference)'")
                : GantryError.forbidden("you may create sessions only for yourself")
        }
        if user.id != caller.id {
            guard caller.isAdmin else { throw GantryError.forbidden("you may create sessions only for yourself") }
        } else if !caller.isAdmin && !settings.selfService {
            throw GantryError.forbidden("sessions are created by an admin here")
        }
        guard user.isActive else { throw GantryError.invalidState("user '\(user.username)' is deactivated") }
        return user
    }

    /// By id, or by username (seed 001's `user_id`).
    private func lookupUser(_ reference: String) async throws -> User? {
        try await store.user(reference: reference)
    }

    /// A catalog name, or an image reference used as given: by admins any, by ordinary users
    /// only the configured default or one from an allowed registry (anything else would let a
    /// user make the engine pull from, and so probe, any address).
    private func resolveImage(_ text: String, by caller: Principal) async throws -> (name: String, reference: String) {
        if let image = try await store.image(name: text) { return (image.name, image.reference) }
        guard ImageReferenceSyntax.isValid(text), text.contains("/") || text.contains(":") else {
            if text == settings.defaultImage {
                // The request asked for nothing wrong: the installation's default is gone.
                throw GantryError(
                    .conflict, code: "default_image_missing",
                    detail: "the default session image '\(text)' is no longer in the catalog; name an image, "
                        + "or ask an admin to add it back or set GANTRY_SESSION_IMAGE")
            }
            throw GantryError(
                .invalidInput, code: "unknown_image",
                detail: "no image named '\(text)' in the catalog, and it is not an image reference")
        }
        guard
            caller.isAdmin || text == settings.defaultImage
                || settings.userImageRegistries.contains(ImageReferenceSyntax.registry(of: text))
        else {
            throw GantryError(
                .forbidden, code: "image_not_allowed",
                detail:
                    "'\(text)' is not in the image catalog; ask an admin to add it, or use one of the catalog's images")
        }
        return (text, text)
    }

    // MARK: Read

    public func list(
        by caller: Principal, user: String? = nil, state: SessionState? = nil, skip: Int, limit: Int
    ) async throws -> Page<GPUSession> {
        let window = try PageWindow(skip: skip, limit: limit)
        var owner: UUID? = caller.isAdmin ? nil : caller.id
        if let user, !user.isEmpty {
            let found = try await lookupUser(user)
            guard let found, caller.canAccess(ownerID: found.id) else {
                return Page(total: 0, items: [])
            }
            owner = found.id
        }
        return try await store.listSessions(ownerID: owner, state: state, skip: window.skip, limit: window.limit)
    }

    /// By id, or by name among the caller's own sessions.
    public func session(_ reference: String, by caller: Principal) async throws -> GPUSession {
        let found: GPUSession?
        if let id = UUID(uuidString: reference) {
            found = try await store.session(id: id)
        } else {
            found = try await store.session(ownerID: caller.id, name: reference)
        }
        guard let found, caller.canAccess(ownerID: found.ownerID) else { throw GantryError.notFound("session") }
        return found
    }

    public struct Stats: Sendable, Equatable {
        public var byState: [SessionState: Int]
        public var byProfile: [String: Int]
        public var devicesTotal: Int
        public var devicesAllocated: Int
    }

    public func stats(by caller: Principal) async throws -> Stats {
        var byState: [SessionState: Int] = [:]
        if caller.isAdmin {
            byState = try await store.countSessionsByState()
        } else {
            for session in try await store.allSessions(ownerID: caller.id, state: nil) {
                byState[session.state, default: 0] += 1
            }
        }
        let allActive = try await store.activeSessions()
        let active = allActive.filter { caller.isAdmin || $0.ownerID == caller.id }
        var byProfile: [String: Int] = [:]
        for session in active {
            byProfile[session.gpu?.profile ?? session.gpu.map { _ in "full" } ?? "none", default: 0] += 1
        }
        let devices = try await store.gpuInventories().flatMap {
            SchedulableGPUDevice.devices(of: $0.inventory, node: $0.node)
        }
        let held = Set(allActive.compactMap(\.gpu?.deviceUUID))
        return Stats(
            byState: byState, byProfile: byProfile, devicesTotal: devices.count,
            devicesAllocated: devices.filter { held.contains($0.uuid) }.count)
    }

    // MARK: Change

    /// `ttlMinutes` sets `expires_at = created_at + ttl`; `extendMinutes` adds to the current one.
    public func updateTTL(
        _ reference: String, ttlMinutes: Int?, extendMinutes: Int?, by caller: Principal
    ) async throws -> GPUSession {
        guard (ttlMinutes == nil) != (extendMinutes == nil) else {
            throw GantryError.invalid("give exactly one of ttl_minutes and extend_minutes")
        }
        for _ in 0..<5 {
            let current = try await session(reference, by: caller)
            guard current.state == .running || current.state == .creating else {
                throw GantryError.invalidState(
                    "session is \(current.state.rawValue); only active sessions can be extended")
            }
            var next = current
            if let ttlMinutes {
                guard (1...settings.maxTTLMinutes).contains(ttlMinutes) else {
                    throw GantryError.invalid("ttl_minutes must be between 1 and \(settings.maxTTLMinutes)")
                }
                next.expiresAt = current.createdAt.addingTimeInterval(TimeInterval(ttlMinutes * 60))
            } else if let extendMinutes {
                guard (1...settings.maxTTLMinutes).contains(extendMinutes) else {
                    throw GantryError.invalid("extend_minutes must be between 1 and \(settings.maxTTLMinutes)")
                }
                next.expiresAt = current.expiresAt.addingTimeInterval(TimeInterval(extendMinutes * 60))
            }
            let limit = current.createdAt.addingTimeInterval(TimeInterval(settings.maxTTLMinutes * 60))
            guard next.expiresAt <= limit else {
                // Well formed, but not for a session this old: a conflict with its state.
                throw GantryError(
                    .conflict, code: "ttl_too_long",
                    detail: "a session lives at most \(settings.maxTTLMinutes) minutes from its creation")
            }
            let now = clock.now
            guard next.expiresAt > now else {
                throw GantryError(
                    .conflict, code: "expiry_in_past",
                    detail: "the new expiry is in the past; end the session with DELETE instead")
            }
            next.updatedAt = now
            if try await store.updateSession(next, ifStateIs: current.state) {
                logger.info(
                    "session TTL changed",
                    metadata: [
                        "session": "\(current.id)", "expires_at": "\(next.expiresAt)", "by": "\(caller.user.username)",
                    ])
                return next
            }
        }
        throw GantryError.conflict("the session is changing state; try again")
    }

    /// Removes the container, then records the end, which frees the device and quota.
    public func delete(_ reference: String, by caller: Principal) async throws -> GPUSession {
        let current = try await session(reference, by: caller)
        guard current.state.isActive else { return current }
        return try await end(current, on: .terminated(by: caller.user.username))
    }

    /// Records the ending first, then removes the container. In that order the container loop
    /// never mistakes a container that a delete or an expiry is removing for a failure, and a
    /// removal that fails is retried by the orphan sweep (the session is no longer active).
    @discardableResult
    func end(_ session: GPUSession, on event: SessionEvent) async throws -> GPUSession {
        let transition: StateTransition<SessionState>
        do {
            transition = try session.state.transition(on: event, at: clock.now)
        } catch {
            // Ended meanwhile: theirs is the record.
            return try await store.session(id: session.id) ?? session
        }
        let ended = session.applying(transition)
        guard try await store.updateSession(ended, ifStateIs: transition.from) else {
            // Someone else ended or changed it first; theirs is the record.
            return try await store.session(id: session.id) ?? ended
        }
        logger.info(
            "session ended",
            metadata: [
                "session": "\(session.id)", "state": "\(transition.to.rawValue)", "reason": "\(transition.reason)",
            ])
        if let containerID = session.containerID {
            do {
                guard let runtime = runtimes.runtime(forNode: session.node) else {
                    throw GantryError.unavailable("node '\(session.node)' has no engine configured")
                }
                try await runtime.removeContainer(id: containerID)
            } catch {
                logger.warning(
                    "removing an ended session's container failed; the orphan sweep retries",
                    metadata: ["session": "\(session.id)", "container": "\(containerID)", "error": "\(error)"])
            }
        }
        return ended
    }

    /// The SSH gateway calls this while a user is connected.
    public func keepAlive(sessionID: UUID) async throws -> Date? {
        try await store.extendSession(id: sessionID, atLeast: clock.now.addingTimeInterval(settings.sshTTLGrace))
    }

    /// What to type to get in.
    public func sshCommand(for session: GPUSession, username: String, several: Bool) -> String {
        let login = several ? "\(username)+\(session.name)" : username
        let port = settings.sshPort == 22 ? "" : "-p \(settings.sshPort) "
        return "ssh \(port)\(login)@\(settings.sshHost)"
    }
}
