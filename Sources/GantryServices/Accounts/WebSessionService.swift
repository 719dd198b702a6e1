import Foundation
import GantryCore
import GantryPorts
import Logging

/// The dashboard's sign-in sessions: a random token in an HttpOnly cookie, its hash in the
/// database, so signing out (or deactivating the user) ends the session on every replica.
public struct WebSessionService: Sendable {
    public struct SignedIn: Sendable {
        /// The cookie value; never stored.
        public var token: String
        public var principal: Principal
        public var session: WebSession
    }

    public struct Authenticated: Sendable {
        public var principal: Principal
        public var session: WebSession
    }

    /// The account demo mode signs visitors in as (seed 000's default user id).
    public static let demoUsername = "user-demo-001"
    static let tokenPrefix = "gs_"

    let store: any UserStore & WebSessionStore
    let users: UserService
    /// Idle sessions end after this long; each use moves the expiry forward (at most once a minute).
    public let lifetime: TimeInterval
    let logger: Logger

    public init(store: any UserStore & WebSessionStore, users: UserService, lifetime: TimeInterval, logger: Logger) {
        self.store = store
        self.users = users
        self.lifetime = lifetime
        self.logger = logger
    }

    public func signIn(usernameOrEmail: String, password: String, now: Date = Date()) async throws -> SignedIn {
        let user = try await users.verifyCredentials(usernameOrEmail: usernameOrEmail, password: password)
        return try await open(for: user, now: now)
    }

    /// Signs a visitor in as the demo user, creating that ordinary account on first use.
    public func signInAsDemoUser(now: Date = Date()) async throws -> SignedIn {
        let user: User
        if let existing = try await store.user(usernameOrEmail: Self.demoUsername) {
            user = existing
        } else {
            let created = User(
                email: "\(Self.demoUsername)@demo.invalid", username: Self.demoUsername, fullName: "Demo user",
                role: .user, passwordHash: await users.hasher.hash(SecretGenerator.password()))
            do {
                try await store.createUser(created)
                logger.info("demo user created", metadata: ["user": "\(created.username)"])
                user = created
            } catch {
                // Another replica or request created it first.
                guard let raced = try await store.user(usernameOrEmail: Self.demoUsername) else { throw error }
                user = raced
            }
        }
        guard user.isActive else {
            throw GantryError(.unauthorized, code: "user_inactive", detail: "the demo account is deactivated")
        }
        return try await open(for: user, now: now)
    }

    /// The session's user, when the token names a live session of an active user.
    public func authenticate(token: String, now: Date = Date()) async throws -> Authenticated {
        guard token.hasPrefix(Self.tokenPrefix),
            var session = try await store.webSession(tokenHash: APIKeyToken.hash(token))
        else { throw GantryError.unauthorized("sign in to continue") }
        guard !session.isExpired(at: now) else {
            try await store.deleteWebSession(tokenHash: session.tokenHash)
            throw GantryError(.unauthorized, code: "session_expired", detail: "your session expired; sign in again")
        }
        guard let user = try await store.user(id: session.userID), user.isActive else {
            try await store.deleteWebSession(tokenHash: session.tokenHash)
            throw GantryError(.unauthorized, code: "user_inactive", detail: "this account is deactivated")
        }
        if now.timeIntervalSince(session.lastSeenAt) > 60 {
            session.lastSeenAt = now
            session.expiresAt = now.addingTimeInterval(lifetime)
            try await store.extendWebSession(id: session.id, lastSeenAt: now, expiresAt: session.expiresAt)
        }
        return Authenticated(principal: Principal(user: user), session: session)
    }

    public func signOut(token: String) async throws {
        guard token.hasPrefix(Self.tokenPrefix) else { return }
        try await store.deleteWebSession(tokenHash: APIKeyToken.hash(token))
    }

    public func removeExpired(now: Date = Date()) async throws -> Int {
        try await store.deleteExpiredWebSessions(now: now)
    }

    private func open(for user: User, now: Date) async throws -> SignedIn {
        let token = Self.tokenPrefix + String(APIKeyToken.generate().dropFirst(APIKeyToken.prefix.count))
        let session = WebSession(
            userID: user.id, tokenHash: APIKeyToken.hash(token), createdAt: now,
            expiresAt: now.addingTimeInterval(lifetime), lastSeenAt: now)
        try await store.createWebSession(session)
        // Sessions of browsers that never came back are swept at each sign-in, which bounds the table.
        _ = try? await store.deleteExpiredWebSessions(now: now)
        logger.info("dashboard sign-in", metadata: ["user": "\(user.username)"])
        return SignedIn(token: token, principal: Principal(user: user), session: session)
    }
}
