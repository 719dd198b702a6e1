import Foundation
import GantryCore
import JWTKit

/// The claims of a Gantry access token.
struct AccessTokenPayload: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim

    /// Expiry is judged by `AccessTokenIssuer.verify` against its clock, not here.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Issues and verifies HS256 access tokens.
public struct AccessTokenIssuer: Sendable {
    public let lifetime: TimeInterval
    private let keys: JWTKeyCollection
    private let verified = VerifiedTokenCache()

    public init(secret: String, lifetime: TimeInterval = 3600) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
        self.lifetime = lifetime
    }

    public func issue(for userID: UUID, now: Date = Date()) async throws -> String {
        let payload = AccessTokenPayload(
            sub: SubjectClaim(value: userID.uuidString), exp: ExpirationClaim(value: now.addingTimeInterval(lifetime)),
            iat: IssuedAtClaim(value: now))
        return try await keys.sign(payload)
    }

    /// The user id the token was issued for; throws `unauthorized` for a bad or expired token.
    public func verify(_ token: String, now: Date = Date()) async throws(GantryError) -> UUID {
        if let id = verified.userID(for: token, now: now) { return id }
        let payload: AccessTokenPayload
        do {
            payload = try await keys.verify(token, as: AccessTokenPayload.self)
        } catch {
            throw GantryError.unauthorized("the access token is invalid")
        }
        guard payload.exp.value > now else {
            throw GantryError(.unauthorized, code: "token_expired", detail: "the access token has expired")
        }
        guard let id = UUID(uuidString: payload.sub.value) else {
            throw GantryError.unauthorized("the access token is invalid")
        }
        verified.remember(token, userID: id, expiresAt: payload.exp.value)
        return id
    }
}
