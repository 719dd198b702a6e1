import Foundation
import GantryCore
import JWTKit

/// The claims of a Gantry access token.
struct AccessTokenPayload: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Issues and verifies HS256 access tokens.
public struct AccessTokenIssuer: Sendable {
    public let lifetime: TimeInterval
    private let keys: JWTKeyCollection

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
    public func verify(_ token: String) async throws(GantryError) -> UUID {
        let payload: AccessTokenPayload
        do {
            payload = try await keys.verify(token, as: AccessTokenPayload.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw GantryError(.unauthorized, code: "token_expired", detail: "the access token has expired")
        } catch {
            throw GantryError.unauthorized("the access token is invalid")
        }
        guard let id = UUID(uuidString: payload.sub.value) else {
            throw GantryError.unauthorized("the access token is invalid")
        }
        return id
    }
}
