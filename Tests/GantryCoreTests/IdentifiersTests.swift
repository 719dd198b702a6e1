import GantryCore
import Testing

@Suite struct IdentifiersTests {
    @Test(arguments: ["alice", "a", "bob-2", "x" + String(repeating: "a", count: 31)])
    func validUsernames(_ name: String) { #expect(Identifiers.isValidUsername(name)) }

    @Test(arguments: ["", "Alice", "1bob", "-bob", "bob_smith", "x" + String(repeating: "a", count: 32), "bob smith"])
    func invalidUsernames(_ name: String) { #expect(!Identifiers.isValidUsername(name)) }

    @Test(arguments: ["web", "0day", "my-app-1", String(repeating: "a", count: 63)])
    func validInstanceNames(_ name: String) { #expect(Identifiers.isValidInstanceName(name)) }

    @Test(arguments: ["", "-web", "Web", "web_1", String(repeating: "a", count: 64), "web.1"])
    func invalidInstanceNames(_ name: String) { #expect(!Identifiers.isValidInstanceName(name)) }

    @Test(arguments: ["a@b.co", "alice.smith+tag@example.org", "x@sub.domain.io"])
    func validEmails(_ email: String) { #expect(Identifiers.isValidEmail(email)) }

    @Test(arguments: ["", "alice", "alice@", "@example.com", "a@b", "a b@c.de", "a@@b.com", "a@-b.com"])
    func invalidEmails(_ email: String) { #expect(!Identifiers.isValidEmail(email)) }

    @Test func passwordStrength() {
        #expect(Identifiers.passwordWeakness("short1") != nil)
        #expect(Identifiers.passwordWeakness("lettersonly") != nil)
        #expect(Identifiers.passwordWeakness("12345678") != nil)
        #expect(Identifiers.passwordWeakness("correct1horse") == nil)
    }
}
