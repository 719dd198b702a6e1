import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import GantryCore
import GantryPorts
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// Where the database lives: a SQLite file (the embedded default) or a PostgreSQL URL.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): "postgres:\(Self.redacted(url))"
        }
    }

    /// The URL with its password replaced, for logs.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }
}

/// The `Store` on FluentKit. One set of models and migrations serves SQLite and PostgreSQL.
public final class FluentStore: Store {
    let databases: Databases
    let db: any Database
    let location: DatabaseLocation
    let logger: Logger
    /// Decoded container templates; they never change once recorded (see `TemplateCache`).
    let templates = TemplateCache()
    /// The instances table in memory for the hot reads, checked against the database's
    /// generation on every read (see `InstanceReadModel`).
    let instanceReads = InstanceReadModel()

    /// Opens the database and runs pending migrations.
    /// `legacy` is the configuration containers were built from before templates were recorded;
    /// only a database from before that needs it.
    public static func open(
        _ location: DatabaseLocation, legacy: LegacyContainerDefaults = LegacyContainerDefaults(), logger: Logger
    ) async throws -> FluentStore {
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        switch location {
        case .sqlite(let path):
            // SQLite gets one connection: writes serialise anyway, and one connection makes
            // transactions exclusive without busy-retry loops.
            databases.use(.sqlite(.file(path), sqlLogLevel: .trace), as: .sqlite)
        case .postgres(let url):
            do {
                databases.use(
                    try .postgres(url: url, maxConnectionsPerEventLoop: 8, sqlLogLevel: .trace), as: .psql)
            } catch {
                throw StoreError.unavailable("GANTRY_DATABASE_URL is not a valid PostgreSQL URL: \(error)")
            }
        }
        // Every query goes through one event loop, so SQLite really has a single connection.
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        guard let db = databases.database(logger: logger, on: eventLoop) else {
            throw StoreError.unavailable("database could not be opened")
        }
        let store = FluentStore(databases: databases, db: db, location: location, logger: logger)
        do {
            if case .sqlite = location, let sql = db as? any SQLDatabase {
                try await sql.raw("PRAGMA journal_mode=WAL").run()
                // In WAL mode NORMAL still survives a killed process (commits are in the WAL before
                // they return); only a power loss can drop the last commits. It spares the job
                // queue an fsync per commit.
                try await sql.raw("PRAGMA synchronous=NORMAL").run()
                try await sql.raw("PRAGMA foreign_keys=ON").run()
            }
            let migrations = Migrations()
            migrations.add(CreateInitialSchema())
            migrations.add(AddGPUSessions())
            migrations.add(AddPluginsAndJobs())
            migrations.add(AddWebSessions())
            migrations.add(AddContainerTemplates(legacy: legacy))
            migrations.add(AddChangeGenerations())
            migrations.add(UniqueSSHKeyFingerprints())
            let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: eventLoop)
            try await migrator.setupIfNeeded().get()
            try await migrator.prepareBatch().get()
        } catch {
            await databases.shutdownAsync()
            throw StoreError.unavailable("opening \(location) failed: \(String(reflecting: error))")
        }
        return store
    }

    init(databases: Databases, db: any Database, location: DatabaseLocation, logger: Logger) {
        self.databases = databases
        self.db = db
        self.location = location
        self.logger = logger
    }

    public func shutdown() async { await databases.shutdownAsync() }

    public func ping() async throws {
        try await sql.raw("SELECT 1").run()
    }

    // MARK: Users

    public func countUsers() async throws -> Int { try await UserModel.query(on: db).count() }

    public func createUser(_ user: User) async throws {
        if try await UserModel.query(on: db).filter(\.$email == user.email).first() != nil {
            throw StoreError.duplicate(field: "email")
        }
        if try await UserModel.query(on: db).filter(\.$username == user.username).first() != nil {
            throw StoreError.duplicate(field: "username")
        }
        do {
            try await UserModel(user).create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw StoreError.duplicate(field: "\(error)".contains("email") ? "email" : "username")
        }
    }

    public func updateUser(_ user: User) async throws {
        guard let model = try await UserModel.find(user.id, on: db) else { throw StoreError.notFound }
        model.apply(user)
        try await model.update(on: db)
    }

    /// Every authenticated request reads its user: the SQLite statement is written once.
    public func user(id: UUID) async throws -> User? {
        try await readRows(sqlite: Self.userByIDSQLite, binds: [id]) {
            try sql.select().columns(UserRow.columns).from(UserModel.schema).where("id", .equal, id).limit(1)
        }.first.map(UserRow.decode)
    }

    static let userByIDSQLite =
        "SELECT \(UserRow.columns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \"\(UserModel.schema)\" WHERE \"id\" = ? LIMIT 1"

    public func user(usernameOrEmail login: String) async throws -> User? {
        let field: KeyPath<UserModel, FieldProperty<UserModel, String>> = login.contains("@") ? \.$email : \.$username
        return try await UserModel.query(on: db).filter(field == login).first()?.domain()
    }

    public func listUsers(skip: Int, limit: Int) async throws -> GantryPorts.Page<User> {
        let total = try await UserModel.query(on: db).count()
        let items = try await UserModel.query(on: db).sort(\.$createdAt).sort(\.$username)
            .range(skip..<(skip + limit)).all().map { try $0.domain() }
        return Page(total: total, items: items)
    }

    // MARK: API keys

    public func createAPIKey(_ key: APIKey) async throws { try await APIKeyModel(key).create(on: db) }

    public func apiKeys(ownerID: UUID) async throws -> [APIKey] {
        try await APIKeyModel.query(on: db).filter(\.$ownerID == ownerID).sort(\.$createdAt).all().map {
            try $0.domain()
        }
    }

    public func apiKey(tokenHash: String) async throws -> APIKey? {
        try await APIKeyModel.query(on: db).filter(\.$tokenHash == tokenHash).first()?.domain()
    }

    public func deleteAPIKey(id: UUID, ownerID: UUID) async throws -> Bool {
        guard let model = try await APIKeyModel.query(on: db).filter(\.$id == id).filter(\.$ownerID == ownerID).first()
        else { return false }
        try await model.delete(on: db)
        return true
    }

    // MARK: Settings

    public func setting(_ key: String) async throws -> String? { try await SettingModel.find(key, on: db)?.value }

    public func settingSetIfAbsent(_ key: String, value: String) async throws -> String {
        if let existing = try await setting(key) { return existing }
        do {
            try await SettingModel(key: key, value: value).create(on: db)
            return value
        } catch {
            // Another replica stored it first: theirs wins.
            guard (error as? any DatabaseError)?.isConstraintFailure == true, let existing = try await setting(key)
            else { throw error }
            return existing
        }
    }

    public func setSetting(_ key: String, value: String) async throws {
        if let model = try await SettingModel.find(key, on: db) {
            model.value = value
            try await model.update(on: db)
        } else {
            try await SettingModel(key: key, value: value).create(on: db)
        }
    }

    // MARK: Leases

    public func acquireLease(_ name: String, holder: String, duration: TimeInterval, now: Date) async throws -> Bool {
        let sql = try Self.sql(db)
        let expires = now.addingTimeInterval(duration)
        // One conditional UPDATE: renew our own lease, or take one that has run out.
        try await sql.update("leases")
            .set("holder", to: holder).set("expires_at", to: expires)
            .where("name", .equal, name)
            .where { $0.where("holder", .equal, holder).orWhere("expires_at", .lessThan, now) }
            .run()
        do {
            try await sql.insert(into: "leases").columns("name", "holder", "expires_at")
                .values(SQLBind(name), SQLBind(holder), SQLBind(expires)).run()
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // The lease exists; whoever holds it is read below.
        }
        let rows = try await sql.select().column("holder").from("leases").where("name", .equal, name).all()
        return try rows.first?.decode(column: "holder", as: String.self) == holder
    }

    // MARK: Images

    public func listImages() async throws -> [CatalogImage] {
        try await ImageModel.query(on: db).sort(\.$name).all().map { $0.domain() }
    }

    public func image(name: String) async throws -> CatalogImage? {
        try await ImageModel.query(on: db).filter(\.$name == name).first()?.domain()
    }

    public func createImage(_ image: CatalogImage) async throws {
        do {
            try await ImageModel(image).create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw StoreError.duplicate(field: "name")
        }
    }

    public func deleteImage(name: String) async throws -> Bool {
        guard let model = try await ImageModel.query(on: db).filter(\.$name == name).first() else { return false }
        try await model.delete(on: db)
        return true
    }

    // MARK: Nodes

    public func listNodes() async throws -> [Node] {
        try await NodeModel.query(on: db).sort(\.$name).all().map { try $0.domain() }
    }

    public func node(name: String) async throws -> Node? {
        try await NodeModel.query(on: db).filter(\.$name == name).first()?.domain()
    }

    public func upsertNode(_ node: Node) async throws {
        if let model = try await NodeModel.query(on: db).filter(\.$name == node.name).first() {
            let id = model.id
            model.apply(node)
            model.id = id
            try await model.update(on: db)
        } else {
            try await NodeModel(node).create(on: db)
        }
    }

    public func allocations() async throws -> [String: NodeCapacity] {
        var result: [String: NodeCapacity] = [:]
        for (node, amount) in try await holdingInstanceTotals() {
            result[node] = NodeCapacity(cpu: amount.cpu, memoryMB: amount.memoryMB, gpus: amount.gpus)
        }
        for session in try await activeSessionModels(on: db) {
            var total = result[session.node] ?? .zero
            total.cpu += session.resources.cpu
            total.memoryMB += session.resources.memoryMB
            total.gpus += session.resources.gpus
            result[session.node] = total
        }
        return result
    }

    /// What instances holding resources add up to, per node, summed by the database: the
    /// overview and every quota check read this, and loading each row grew with the fleet.
    func holdingInstanceTotals(ownerID: UUID? = nil) async throws -> [String: ResourceAmount] {
        var query = try Self.sql(db).select()
            .column("node")
            // PostgreSQL sums bigint columns as numeric: cast back so both databases answer integers.
            .column(SQLRaw("CAST(COUNT(*) AS BIGINT)"), as: "instances")
            .column(SQLRaw("CAST(COALESCE(SUM(cpu), 0) AS DOUBLE PRECISION)"), as: "cpu")
            .column(SQLRaw("CAST(COALESCE(SUM(memory_mb), 0) AS BIGINT)"), as: "memory_mb")
            .column(SQLRaw("CAST(COALESCE(SUM(gpus), 0) AS BIGINT)"), as: "gpus")
            .from(InstanceModel.schema)
            .where("state", .in, Self.holdingStates)
        if let ownerID { query = query.where("owner_id", .equal, ownerID) }
        var totals: [String: ResourceAmount] = [:]
        for row in try await query.groupBy("node").all() {
            totals[try row.decode(column: "node", as: String.self)] = ResourceAmount(
                instances: try row.decode(column: "instances", as: Int.self),
                cpu: try row.decode(column: "cpu", as: Double.self),
                memoryMB: try row.decode(column: "memory_mb", as: Int.self),
                gpus: try row.decode(column: "gpus", as: Int.self))
        }
        return totals
    }

    static func allocations(of instances: [InstanceModel], sessions: [GPUSessionModel]) -> [String: NodeCapacity] {
        var result: [String: NodeCapacity] = [:]
        func add(_ node: String, _ resources: ResourceAmount) {
            var total = result[node] ?? .zero
            total.cpu += resources.cpu
            total.memoryMB += resources.memoryMB
            total.gpus += resources.gpus
            result[node] = total
        }
        for instance in instances { add(instance.node, instance.resources) }
        for session in sessions { add(session.node, session.resources) }
        return result
    }

    // MARK: Instances

    static let holdingStates = InstanceState.allCases.filter(\.holdsResources).map(\.rawValue)

    func holdingInstances(on db: any Database, ownerID: UUID? = nil) async throws -> [InstanceModel] {
        var query = InstanceModel.query(on: db).filter(\.$state ~~ Self.holdingStates)
        if let ownerID { query = query.filter(\.$ownerID == ownerID) }
        return try await query.all()
    }

    public func reserveInstance(
        ownerID: UUID, decide: @escaping @Sendable (ReservationSnapshot) throws -> Instance
    ) async throws -> Instance {
        try await db.transaction { tx in
            // Taking the scheduler row lock first serialises reservations on both databases
            // (PostgreSQL row lock; SQLite write lock), so the snapshot below cannot go stale
            // before the insert commits.
            let sql = try Self.sql(tx)
            try await sql.raw("UPDATE scheduler_lock SET seq = seq + 1 WHERE id = 1").run()
            guard let owner = try await UserModel.find(ownerID, on: tx)?.domain() else { throw StoreError.notFound }
            let holding = try await self.holdingInstances(on: tx)
            let sessions = try await self.activeSessionModels(on: tx)
            let ownerLive = try await InstanceModel.query(on: tx).filter(\.$ownerID == ownerID)
                .filter(\.$state != InstanceState.terminated.rawValue).all()
            var usage = ResourceAmount.zero
            for model in holding where model.ownerID == ownerID {
                usage = usage + model.resources
            }
            for model in sessions where model.ownerID == ownerID {
                usage = usage + model.resources
            }
            var usedPorts: [String: Set<Int>] = [:]
            for model in try await InstanceModel.query(on: tx).filter(\.$hostPort != nil).all() {
                if let port = model.hostPort { usedPorts[model.node, default: []].insert(port) }
            }
            let snapshot = ReservationSnapshot(
                owner: owner, usage: usage, ownerInstanceNames: Set(ownerLive.map(\.name)),
                nodes: try await NodeModel.query(on: tx).sort(\.$name).all().map { try $0.domain() },
                allocated: Self.allocations(of: holding, sessions: sessions), usedPorts: usedPorts)
            let instance = try decide(snapshot)
            do {
                try await InstanceModel(instance).create(on: tx)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                throw StoreError.duplicate(field: "\(error)".contains("name") ? "name" : "host_port")
            }
            return instance
        }
    }

    public func reassignPort(instanceID: UUID, choose: @escaping @Sendable (Set<Int>) -> Int?) async throws -> Int? {
        try await db.transaction { tx in
            let sql = try Self.sql(tx)
            try await sql.raw("UPDATE scheduler_lock SET seq = seq + 1 WHERE id = 1").run()
            guard let model = try await InstanceModel.find(instanceID, on: tx) else { throw StoreError.notFound }
            let used = Set(
                try await InstanceModel.query(on: tx).filter(\.$node == model.node).filter(\.$hostPort != nil)
                    .all().compactMap(\.hostPort))
            guard let port = choose(used) else { return nil }
            model.hostPort = port
            model.containerID = nil
            model.updatedAt = Date()
            try await model.update(on: tx)
            return port
        }
    }

    var sql: any SQLDatabase { get throws { try Self.sql(db) } }

    /// The SQLKit view of a database or transaction; both drivers provide one.
    static func sql(_ database: any Database) throws -> any SQLDatabase {
        guard let sql = database as? any SQLDatabase else {
            throw StoreError.unavailable("database has no SQL interface")
        }
        return sql
    }

    public func instance(id: UUID) async throws -> Instance? {
        try await instanceSnapshot().byID[id]
    }

    public func listInstances(ownerID: UUID?, skip: Int, limit: Int) async throws -> GantryPorts.Page<Instance> {
        try await instanceSnapshot().page(ownerID: ownerID, skip: skip, limit: limit)
    }

    public func liveInstances() async throws -> [Instance] {
        try await instanceSnapshot().ordered.filter { $0.state != .terminated }
    }

    /// The instances table as it is now: from memory while the table's generation is the one
    /// memory holds, otherwise freshly read.
    func instanceSnapshot() async throws -> InstanceReadModel.Snapshot {
        let generation = try await changeGeneration(of: InstanceModel.schema)
        return try await instanceReads.snapshot(generation: generation) { [self] in
            let select = try sql.select().columns(InstanceRow.columns).from(InstanceModel.schema)
                .orderBy("created_at", .descending).orderBy("name")
            return try await readRows(select).map { try InstanceRow.decode($0, templates: templates) }
        }
    }

    static let generationSQLite = "SELECT generation FROM \(AddChangeGenerations.table) WHERE name = ?"

    /// A table's write counter, bumped by triggers in the same transaction as every write.
    /// On SQLite the statement is written out once: it runs before every hot read.
    func changeGeneration(of table: String) async throws -> Int {
        let rows = try await readRows(sqlite: Self.generationSQLite, binds: [table]) {
            try sql.select().column("generation").from(AddChangeGenerations.table).where("name", .equal, table)
        }
        guard let row = rows.first else {
            throw StoreMappingError.missing("\(AddChangeGenerations.table).\(table)")
        }
        return try row.int("generation")
    }

    public func usage(ownerID: UUID) async throws -> ResourceAmount {
        let instances = try await holdingInstanceTotals(ownerID: ownerID).values.reduce(.zero, +)
        return try await activeSessionModels(on: db, ownerID: ownerID).reduce(instances) { total, model in
            total + model.resources
        }
    }

    public func updateInstance(_ instance: Instance, ifStateIs expected: InstanceState) async throws -> Bool {
        try await db.transaction { tx in
            // Lock the row before reading it, so compare-and-set holds under PostgreSQL's
            // READ COMMITTED as well as under SQLite's single writer.
            let sql = try Self.sql(tx)
            try await sql.update(InstanceModel.schema).set(SQLColumn("id"), to: SQLColumn("id"))
                .where("id", .equal, instance.id).run()
            guard let model = try await InstanceModel.find(instance.id, on: tx), model.state == expected.rawValue
            else { return false }
            try model.apply(instance)
            try await model.update(on: tx)
            return true
        }
    }

    public func countInstancesByState() async throws -> [InstanceState: Int] {
        var counts = Dictionary(uniqueKeysWithValues: InstanceState.allCases.map { ($0, 0) })
        for instance in try await instanceSnapshot().ordered { counts[instance.state, default: 0] += 1 }
        return counts
    }
}
