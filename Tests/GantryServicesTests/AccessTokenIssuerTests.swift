import Foundation
import GantryCore
import Testing

@testable import GantryServices

/// Access tokens: verified once, then answered from the cache, which never lets through what
/// verification would refuse.
@Suite struct AccessTokenIssuerTests {
    let secret = String(repeating: "k", count: 40)

    @Test func aTokenVerifiesToItsUserAgainAndAgain() async throws {
        let issuer = await AccessTokenIssuer(secret: secret, lifetime: 60)
        let user = UUID()
        let token = try await issuer.issue(for: user)
        #expect(try await issuer.verify(token) == user)
        #expect(try await issuer.verify(token) == user)
    }

    @Test func aTamperedTokenIsRefusedEvenWhenTheGenuineOneWasVerified() async throws {
        let issuer = await AccessTokenIssuer(secret: secret, lifetime: 60)
        let token = try await issuer.issue(for: UUID())
        _ = try await issuer.verify(token)
        var tampered = Array(token)
        let last = tampered.count - 2
        tampered[last] = tampered[last] == "A" ? "B" : "A"
        await #expect(throws: GantryError.self) { try await issuer.verify(String(tampered)) }
        let other = await AccessTokenIssuer(secret: String(repeating: "o", count: 40), lifetime: 60)
        await #expect(throws: GantryError.self) { try await other.verify(token) }
    }

    @Test func aVerifiedTokenStillExpires() async throws {
        let issuer = await AccessTokenIssuer(secret: secret, lifetime: 60)
        let token = try await issuer.issue(for: UUID())
        _ = try await issuer.verify(token)
        // Past its expiry the cached entry is not used; the token itself is judged again.
        do {
            _ = try await issuer.verify(token, now: Date().addingTimeInterval(120))
            Issue.record("a token past its expiry was accepted")
        } catch {
            #expect(error.code == "token_expired")
        }
        let expired = try await issuer.issue(for: UUID(), now: Date().addingTimeInterval(-7200))
        do {
            _ = try await issuer.verify(expired)
            Issue.record("an expired token was accepted")
        } catch {
            #expect(error.code == "token_expired")
        }
    }
}
