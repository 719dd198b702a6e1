import Foundation
import GantryCore
import GantryPorts
import Logging

public struct NewUser: Sendable {
    public var email: String
    public var username: String
    public var password: String
    public var fullName: String
    public var role: Role

    public init(email: String, username: String, password: String, fullName: String = "", role: Role = .user) {
        self.email = email
        self.username = username
        self.password = password
        self.fullName = fullName
        self.role = role
    }
}

/// An admin's change to a user; `nil` leaves a field as it is.
public struct UserChanges: Sendable {
    public var isActive: Bool?
    public var role: Role?
    public var fullName: String?
    public var quota: QuotaOverride?

    public init(isActive: Bool? = nil, role: Role? = nil, fullName: String? = nil, quota: QuotaOverride? = nil) {
        self.isActive = isActive
        self.role = role
        self.fullName = fullName
        self.quota = quota
    }
}

public struct IssuedToken: Sendable {
    public var accessToken: String
    public var expiresIn: Int
}

public struct CreatedAPIKey: Sendable {
    public var key: APIKey
    /// Shown once, never stored.
    public var token: String
}

public struct QuotaReport: Sendable, Equatable {
    public var limits: QuotaLimits
    public var usage: ResourceAmount
}

/// Accounts, login, API keys and quotas.
public struct UserService: Sendable {
    let store: any UserStore & APIKeyStore & InstanceStore
    let hasher: PasswordHasher
    let tokens: AccessTokenIssuer
    let defaultQuota: QuotaLimits
    let logger: Logger

    public init(
        store: any UserStore & APIKeyStore & InstanceStore, hasher: PasswordHasher, tokens: AccessTokenIssuer,
        defaultQuota: QuotaLimits,
        logger: Logger
    ) {
        self.store = store
        self.hasher = hasher
        self.tokens = tokens
        self.defaultQuota = defaultQuota
        self.logger = logger
    }

    /// On an empty database, creates `admin`. Returns the password when it was generated, so the
    /// caller can print it once.
    public func bootstrapAdmin(password configured: String?) async throws -> String? {
        guard try await store.countUsers() == 0 else { return nil }
        let password = configured ?? SecretGenerator.password()
        if let weakness = Identifiers.passwordWeakness(password) {
            throw GantryError.invalid("GANTRY_ADMIN_PASSWORD is too weak: \(weakness)")
        }
        let admin = User(
            email: "admin@gantry.local", username: "admin", fullName: "Administrator", role: .admin,
            passwordHash: await hasher.hash(password))
        do {
            try await store.createUser(admin)
        } catch StoreError.duplicate {
            // Another replica created it first.
            return nil
        }
        logger.info("created the initial admin user", metadata: ["username": "admin"])
        return configured == nil ? password : nil
    }

    // MARK: Authentication

    public func login(usernameOrEmail: String, password: String) async throws -> IssuedToken {
        let user = try await verifyCredentials(usernameOrEmail: usernameOrEmail, password: password)
        let token = try await tokens.issue(for: user.id)
        return IssuedToken(accessToken: token, expiresIn: Int(tokens.lifetime))
    }

    /// The active user these credentials belong to; the same refusal for an unknown user and a
    /// wrong password, so usernames cannot be probed.
    public func verifyCredentials(usernameOrEmail: String, password: String) async throws -> User {
        let login = usernameOrEmail.trimmingCharacters(in: .whitespaces)
        guard !login.isEmpty, !password.isEmpty else { throw GantryError.invalid("username and password are required") }
        let refusal = GantryError(.unauthorized, code: "invalid_credentials", detail: "incorrect username or password")
        guard let user = try await store.user(usernameOrEmail: login.lowercased()) else {
            await hasher.verifyAgainstNothing(password)
            throw refusal
        }
        guard await hasher.verify(password, hash: user.passwordHash) else { throw refusal }
        guard user.isActive else {
            throw GantryError(.unauthorized, code: "user_inactive", detail: "this account is deactivated")
        }
        return user
    }

    /// Resolves a bearer token or API key to an active user. Checked on every request, so a
    /// deactivated user is refused at once even with an unexpired token.
    public func authenticate(credential: String) async throws -> Principal {
        let user: User?
        if APIKeyToken.looksLikeAPIKey(credential) {
            guard let key = try await store.apiKey(tokenHash: APIKeyToken.hash(credential)) else {
                throw GantryError.unauthorized("the API key is invalid")
            }
            user = try await store.user(id: key.ownerID)
        } else {
            user = try await store.user(id: try await tokens.verify(credential))
        }
        guard let user else { throw GantryError.unauthorized("the credential's user no longer exists") }
        guard user.isActive else {
            throw GantryError(.unauthorized, code: "user_inactive", detail: "this account is deactivated")
        }
        return Principal(user: user)
    }

    // MARK: Users

    public func createUser(_ new: NewUser, by caller: Principal?, openSignUp: Bool) async throws -> User {
        if let caller {
            if !caller.isAdmin && !openSignUp { try caller.requireAdmin() }
        } else if !openSignUp {
            throw GantryError.unauthorized("sign in as an admin to create users")
        }
        // Only admins hand out the admin role.
        if new.role == .admin && caller?.isAdmin != true {
            throw GantryError.forbidden("only admins can create admins")
        }
        let email = new.email.trimmingCharacters(in: .whitespaces).lowercased()
        guard Identifiers.isValidEmail(email) else { throw GantryError.invalid("email is not a valid address") }
        guard Identifiers.isValidUsername(new.username) else {
            throw GantryError.invalid("username must match ^[a-z][a-z0-9-]{0,31}$")
        }
        if let weakness = Identifiers.passwordWeakness(new.password) { throw GantryError.invalid(weakness) }
        try validate(fullName: new.fullName)
        let user = User(
            email: email, username: new.username, fullName: new.fullName, role: new.role,
            passwordHash: await hasher.hash(new.password))
        do {
            try await store.createUser(user)
        } catch {
            throw mapStoreError(error) { field in
                GantryError(.conflict, code: "duplicate_\(field)", detail: "a user with this \(field) already exists")
            }
        }
        logger.info("user created", metadata: ["user": "\(user.username)", "by": "\(caller?.user.username ?? "-")"])
        return user
    }

    public func listUsers(by caller: Principal, skip: Int, limit: Int) async throws -> Page<User> {
        try caller.requireAdmin()
        let window = try PageWindow(skip: skip, limit: limit)
        return try await store.listUsers(skip: window.skip, limit: window.limit)
    }

    public func user(id: UUID, by caller: Principal) async throws -> User {
        guard caller.canAccess(ownerID: id), let user = try await store.user(id: id) else {
            throw GantryError.notFound("user")
        }
        return user
    }

    public func updateUser(id: UUID, changes: UserChanges, by caller: Principal) async throws -> User {
        try caller.requireAdmin()
        guard var user = try await store.user(id: id) else { throw GantryError.notFound("user") }
        if id == caller.id, changes.isActive == false || changes.role == .user {
            // The request is well formed; it conflicts with who is asking.
            throw GantryError(
                .conflict, code: "self_demotion", detail: "admins cannot deactivate or demote themselves")
        }
        if let quota = changes.quota { try validate(quota) }
        if let fullName = changes.fullName { try validate(fullName: fullName) }
        if let isActive = changes.isActive { user.isActive = isActive }
        if let role = changes.role { user.role = role }
        if let fullName = changes.fullName { user.fullName = fullName }
        if let quota = changes.quota { user.quotaOverride = quota }
        try await store.updateUser(user)
        logger.info("user updated", metadata: ["user": "\(user.username)", "by": "\(caller.user.username)"])
        return user
    }

    /// openapi.yaml's `maxLength`, which counts code points as JSON Schema does.
    func validate(fullName: String) throws(GantryError) {
        guard fullName.unicodeScalars.count <= 200 else { throw .invalid("full_name must be at most 200 characters") }
    }

    func validate(_ quota: QuotaOverride) throws(GantryError) {
        // The ranges openapi.yaml gives for QuotaOverride.
        if let instances = quota.instances, !(0...1_000_000).contains(instances) {
            throw .invalid("quota instances must be between 0 and 1000000")
        }
        if let cpu = quota.cpu, !(cpu.isFinite && cpu >= 0 && cpu <= 1_000_000) {
            throw .invalid("quota cpu must be between 0 and 1000000")
        }
        if let memory = quota.memoryMB, !(0...1_000_000_000_000).contains(memory) {
            throw .invalid("quota memory_mb must be between 0 and 1000000000000")
        }
        if let gpus = quota.gpus, !(0...1_000_000).contains(gpus) {
            throw .invalid("quota gpus must be between 0 and 1000000")
        }
    }

    // MARK: Quota

    public func quota(of userID: UUID, by caller: Principal) async throws -> QuotaReport {
        let user = try await user(id: userID, by: caller)
        return QuotaReport(
            limits: user.quotaOverride.applied(to: defaultQuota), usage: try await store.usage(ownerID: user.id))
    }

    // MARK: API keys

    public func createAPIKey(name: String, by caller: Principal) async throws -> CreatedAPIKey {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, name.unicodeScalars.count <= 100 else {
            throw GantryError.invalid("name must be 1 to 100 characters")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw GantryError.invalid("name must not contain control characters")
        }
        let token = APIKeyToken.generate()
        let key = APIKey(
            ownerID: caller.id, name: trimmed, prefix: String(token.prefix(10)), tokenHash: APIKeyToken.hash(token))
        try await store.createAPIKey(key)
        return CreatedAPIKey(key: key, token: token)
    }

    public func apiKeys(by caller: Principal) async throws -> [APIKey] {
        try await store.apiKeys(ownerID: caller.id)
    }

    public func deleteAPIKey(id: UUID, by caller: Principal) async throws {
        guard try await store.deleteAPIKey(id: id, ownerID: caller.id) else { throw GantryError.notFound("API key") }
    }
}
