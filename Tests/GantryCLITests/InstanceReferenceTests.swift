import Testing

@testable import GantryCLI

@Suite struct InstanceReferenceTests {
    typealias Candidate = InstanceReference.Candidate

    let web = Candidate(id: "1a2b3c4d-0000-4000-8000-000000000001", name: "web", isTerminated: false)
    let oldWeb = Candidate(id: "9f8e7d6c-0000-4000-8000-000000000002", name: "web", isTerminated: true)
    let db = Candidate(id: "1a2b3c4e-0000-4000-8000-000000000003", name: "db", isTerminated: false)
    /// A name that is also valid hex, to check names win over prefixes.
    let hexNamed = Candidate(id: "77777777-0000-4000-8000-000000000004", name: "deadbeef", isTerminated: false)

    var all: [Candidate] { [web, oldWeb, db, hexNamed] }

    @Test func fullUUIDIsUsedDirectlyAndLowercased() throws {
        let id = "ABCDEF01-2345-4678-9ABC-DEF012345678"
        #expect(FullUUID.normalized(id) == id.lowercased())
        #expect(try InstanceReference.resolve(id, among: []) == id.lowercased())
        #expect(FullUUID.normalized("web") == nil)
        #expect(FullUUID.normalized("1a2b3c4d") == nil)
    }

    @Test func nameMatchesOnlyLiveInstances() throws {
        #expect(try InstanceReference.resolve("web", among: all) == web.id)
        #expect(throws: CLIError.notFound("no instance named \"web\"")) {
            try InstanceReference.resolve("web", among: [oldWeb])
        }
    }

    @Test func duplicateLiveNamesAreAmbiguous() {
        let otherUsersWeb = Candidate(id: "22222222-0000-4000-8000-000000000005", name: "web", isTerminated: false)
        #expect(throws: CLIError.self) { try InstanceReference.resolve("web", among: [web, otherUsersWeb]) }
    }

    @Test func prefixOfEightOrMoreHexCharactersMatchesTheID() throws {
        #expect(try InstanceReference.resolve("9f8e7d6c", among: all) == oldWeb.id)
        #expect(try InstanceReference.resolve("1A2B3C4D", among: all) == web.id)
        #expect(try InstanceReference.resolve("1a2b3c4e-0000", among: all) == db.id)
    }

    @Test func shortPrefixesAreNotIDs() {
        #expect(!InstanceReference.isIDPrefix("1a2b3c4"))
        #expect(InstanceReference.isIDPrefix("1a2b3c4d"))
        #expect(!InstanceReference.isIDPrefix("web-server"))
        #expect(throws: CLIError.self) { try InstanceReference.resolve("1a2b3c4", among: all) }
    }

    @Test func ambiguousPrefixIsAnError() {
        let twin = Candidate(id: "1a2b3c4d-ffff-4000-8000-000000000006", name: "twin", isTerminated: false)
        #expect(throws: CLIError.self) { try InstanceReference.resolve("1a2b3c4d", among: [web, twin]) }
    }

    @Test func prefixPrefersTheLiveInstanceOverTerminatedOnes() throws {
        let dead = Candidate(id: "1a2b3c4d-eeee-4000-8000-000000000007", name: "dead", isTerminated: true)
        #expect(try InstanceReference.resolve("1a2b3c4d", among: [web, dead]) == web.id)
    }

    @Test func exactNameWinsOverIDPrefix() throws {
        let prefixed = Candidate(id: "deadbeef-0000-4000-8000-000000000008", name: "other", isTerminated: false)
        #expect(try InstanceReference.resolve("deadbeef", among: [hexNamed, prefixed]) == hexNamed.id)
    }

    @Test func unknownReferencesAndEmptyInputFail() {
        #expect(throws: CLIError.self) { try InstanceReference.resolve("nope", among: all) }
        #expect(throws: CLIError.self) { try InstanceReference.resolve("abcdef0123", among: all) }
        #expect(throws: CLIError.self) { try InstanceReference.resolve("  ", among: all) }
    }
}

@Suite struct UserReferenceTests {
    let users: [(id: String, username: String, email: String)] = [
        ("11111111-0000-4000-8000-000000000001", "alice", "Alice@Example.com"),
        ("22222222-0000-4000-8000-000000000002", "bob", "bob@example.com"),
    ]

    @Test func matchesUsernameOrEmail() throws {
        #expect(try UserReference.resolve("alice", among: users) == users[0].id)
        #expect(try UserReference.resolve("alice@example.com", among: users) == users[0].id)
        #expect(try UserReference.resolve("bob@example.com", among: users) == users[1].id)
        #expect(throws: CLIError.self) { try UserReference.resolve("carol", among: users) }
    }
}
