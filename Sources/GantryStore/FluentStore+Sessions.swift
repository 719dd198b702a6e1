import FluentKit
import Foundation
import GantryCore
import GantryPorts
import SQLKit

extension FluentStore {
    // MARK: SSH keys

    public func createSSHKey(_ key: UserSSHKey) async throws {
        do {
            try await SSHKeyModel(key).create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw StoreError.duplicate(field: "fingerprint")
        }
    }

    public func sshKeys(ownerID: UUID) async throws -> [UserSSHKey] {
        try await SSHKeyModel.query(on: db).filter(\.$ownerID == ownerID).sort(\.$createdAt).all().map {
            try $0.domain()
        }
    }

    public func sshKey(ownerID: UUID, fingerprint: String) async throws -> UserSSHKey? {
        try await SSHKeyModel.query(on: db).filter(\.$ownerID == ownerID).filter(\.$fingerprint == fingerprint)
            .first()?.domain()
    }

    public func deleteSSHKey(id: UUID, ownerID: UUID) async throws -> Bool {
        guard let model = try await SSHKeyModel.query(on: db).filter(\.$id == id).filter(\.$ownerID == ownerID).first()
        else { return false }
        try await model.delete(on: db)
        return true
    }

    public func markSSHKeyUsed(id: UUID, at date: Date) async throws {
        try await sql.update(SSHKeyModel.schema).set("last_used_at", to: date).where("id", .equal, id).run()
    }

    // MARK: GPU inventories

    public func saveGPUInventory(_ stored: StoredGPUInventory) async throws {
        guard let json = JSONColumn.encode(stored.inventory) else {
            throw StoreError.unavailable("GPU inventory could not be encoded")
        }
        if let model = try await GPUInventoryModel.find(stored.node, on: db) {
            model.inventoryJSON = json
            model.refreshedAt = stored.refreshedAt
            try await model.update(on: db)
        } else {
            try await GPUInventoryModel(node: stored.node, inventoryJSON: json, refreshedAt: stored.refreshedAt)
                .create(on: db)
        }
    }

    public func gpuInventories() async throws -> [StoredGPUInventory] {
        try await Self.gpuInventories(on: db)
    }

    static func gpuInventories(on db: any Database) async throws -> [StoredGPUInventory] {
        try await GPUInventoryModel.query(on: db).sort(\.$id).all().compactMap { model in
            guard let node = model.id, let inventory = JSONColumn.decode(GPUInventory.self, from: model.inventoryJSON)
            else { return nil }
            return StoredGPUInventory(node: node, inventory: inventory, refreshedAt: model.refreshedAt)
        }
    }

    // MARK: Sessions

    static let activeSessionStates = SessionState.allCases.filter(\.isActive).map(\.rawValue)

    func activeSessionModels(on db: any Database, ownerID: UUID? = nil) async throws -> [GPUSessionModel] {
        var query = GPUSessionModel.query(on: db).filter(\.$state ~~ Self.activeSessionStates)
        if let ownerID { query = query.filter(\.$ownerID == ownerID) }
        return try await query.all()
    }

    public func reserveSession(
        ownerID: UUID, firstPosixUID: Int, decide: @escaping @Sendable (SessionReservationSnapshot) throws -> GPUSession
    ) async throws -> GPUSession {
        try await db.transaction { tx in
            let sql = try Self.sql(tx)
            // The same lock as instance launches: quota spans both.
            try await sql.raw("UPDATE scheduler_lock SET seq = seq + 1 WHERE id = 1").run()
            guard let owner = try await UserModel.find(ownerID, on: tx)?.domain() else { throw StoreError.notFound }
            let instances = try await self.holdingInstances(on: tx)
            let sessions = try await self.activeSessionModels(on: tx)
            var usage = ResourceAmount.zero
            for model in instances where model.ownerID == ownerID { usage = usage + model.resources }
            for model in sessions where model.ownerID == ownerID { usage = usage + model.resources }
            let uid = try await Self.posixUID(for: ownerID, first: firstPosixUID, on: tx)
            var devices: [SchedulableGPUDevice] = []
            for stored in try await Self.gpuInventories(on: tx) {
                devices += SchedulableGPUDevice.devices(of: stored.inventory, node: stored.node)
            }
            let snapshot = SessionReservationSnapshot(
                owner: owner, usage: usage,
                ownerActiveSessionNames: Set(sessions.filter { $0.ownerID == ownerID }.map(\.name)),
                nodes: try await NodeModel.query(on: tx).sort(\.$name).all().map { try $0.domain() },
                allocated: Self.allocations(of: instances, sessions: sessions), devices: devices,
                heldDevices: Set(sessions.compactMap(\.gpuUUID)), posixUID: uid)
            let session = try decide(snapshot)
            do {
                try await GPUSessionModel(session).create(on: tx)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                throw StoreError.duplicate(field: "\(error)".contains("name") ? "name" : "gpu_uuid")
            }
            return session
        }
    }

    /// The user's uid, or the next free one from `first` up. Runs under the scheduler lock.
    static func posixUID(for userID: UUID, first: Int, on tx: any Database) async throws -> Int {
        if let account = try await PosixAccountModel.find(userID, on: tx) { return account.uid }
        let highest = try await PosixAccountModel.query(on: tx).max(\.$uid)
        let uid = max(first, (highest ?? first - 1) + 1)
        try await PosixAccountModel(userID: userID, uid: uid).create(on: tx)
        return uid
    }

    public func session(id: UUID) async throws -> GPUSession? {
        try await GPUSessionModel.find(id, on: db)?.domain()
    }

    public func session(ownerID: UUID, name: String) async throws -> GPUSession? {
        let models = try await GPUSessionModel.query(on: db).filter(\.$ownerID == ownerID).filter(\.$name == name)
            .sort(\.$createdAt, .descending).all()
        return try
            (models.first { $0.state == SessionState.running.rawValue || $0.state == SessionState.creating.rawValue }
            ?? models.first)?.domain()
    }

    public func listSessions(
        ownerID: UUID?, state: SessionState?, skip: Int, limit: Int
    ) async throws -> GantryPorts.Page<GPUSession> {
        var query = GPUSessionModel.query(on: db)
        if let ownerID { query = query.filter(\.$ownerID == ownerID) }
        if let state { query = query.filter(\.$state == state.rawValue) }
        let total = try await query.count()
        let items = try await query.sort(\.$createdAt, .descending).sort(\.$name).range(skip..<(skip + limit)).all()
            .map { try $0.domain() }
        return Page(total: total, items: items)
    }

    public func activeSessions() async throws -> [GPUSession] {
        try await activeSessionModels(on: db).map { try $0.domain() }
    }

    public func updateSession(_ session: GPUSession, ifStateIs expected: SessionState) async throws -> Bool {
        try await db.transaction { tx in
            let sql = try Self.sql(tx)
            try await sql.update(GPUSessionModel.schema).set(SQLColumn("id"), to: SQLColumn("id"))
                .where("id", .equal, session.id).run()
            guard let model = try await GPUSessionModel.find(session.id, on: tx), model.state == expected.rawValue
            else { return false }
            try model.apply(session)
            try await model.update(on: tx)
            return true
        }
    }

    public func extendSession(id: UUID, atLeast until: Date) async throws -> Date? {
        let sql = try self.sql
        try await sql.update(GPUSessionModel.schema).set("expires_at", to: until).set("updated_at", to: Date())
            .where("id", .equal, id).where("state", .equal, SessionState.running.rawValue)
            .where("expires_at", .lessThan, until).run()
        return try await GPUSessionModel.find(id, on: db)?.expiresAt
    }

    public func countSessionsByState() async throws -> [SessionState: Int] {
        var counts: [SessionState: Int] = [:]
        for state in SessionState.allCases {
            counts[state] = try await GPUSessionModel.query(on: db).filter(\.$state == state.rawValue).count()
        }
        return counts
    }
}
