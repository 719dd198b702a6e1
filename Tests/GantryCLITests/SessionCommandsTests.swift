import ArgumentParser
import GantryOpenAPI
import Testing

@testable import GantryCLI

@Suite struct SessionCommandsTests {
    @Test func createTakesEveryFieldOfTheRequest() throws {
        let command = try SessionCreateCommand.parse([
            "--user", "alice", "--profile", "3g.20gb", "--ttl", "120", "--image", "pytorch", "--name", "train",
            "--cpu", "4", "--memory-mb", "16384", "--json",
        ])
        #expect(
            command.request
                == .init(
                    userId: "alice", migProfile: "3g.20gb", ttlMinutes: 120, image: "pytorch", name: "train", cpu: 4,
                    memoryMb: 16384))
        #expect(command.options.json)
    }

    @Test func createLeavesDefaultsToTheServer() throws {
        let command = try SessionCreateCommand.parse(["--profile", "full"])
        #expect(command.request == .init(migProfile: "full"))
    }

    @Test(arguments: [
        [],
        ["--profile", ""],
        ["--profile", "1g.10gb", "--ttl", "0"],
        ["--profile", "1g.10gb", "--cpu", "0"],
        ["--profile", "1g.10gb", "--cpu", "nan"],
        ["--profile", "1g.10gb", "--memory-mb", "-1"],
        ["--profile", "1g.10gb", "--name", "Train"],
        ["--profile", "1g.10gb", "--name", "-train"],
        ["--profile", "1g.10gb", "--name", String(repeating: "a", count: 64)],
        ["--profile", "1g.10gb", "--ttl", "soon"],
    ])
    func createRejectsBadInput(_ arguments: [String]) {
        #expect(throws: (any Error).self) { try SessionCreateCommand.parse(arguments) }
    }

    @Test func sessionNamesFollowTheContract() {
        #expect(SessionCreateCommand.isValidName("a"))
        #expect(SessionCreateCommand.isValidName("0-train-2"))
        #expect(SessionCreateCommand.isValidName(String(repeating: "a", count: 63)))
        #expect(!SessionCreateCommand.isValidName(""))
        #expect(!SessionCreateCommand.isValidName("train_2"))
        #expect(!SessionCreateCommand.isValidName("trän"))
    }

    @Test func listFiltersAndPages() throws {
        let command = try SessionsListCommand.parse(["--status", "running", "--user", "bob", "--limit", "20"])
        #expect(command.status?.status == .running)
        #expect(command.user == "bob")
        #expect(command.page.limit == 20)
        #expect(!command.all)
        #expect(try SessionsListCommand.parse(["--all"]).all)
        #expect(throws: (any Error).self) { try SessionsListCommand.parse(["--status", "paused"]) }
        #expect(throws: (any Error).self) { try SessionsListCommand.parse(["--limit", "0"]) }
    }

    @Test func extendTakesMinutesOrTTLButNotBoth() throws {
        let more = try SessionExtendCommand.parse(["train", "--minutes", "30"])
        #expect(more.session == "train")
        #expect(more.update == .init(extendMinutes: 30))
        #expect(try SessionExtendCommand.parse(["train", "--ttl", "240"]).update == .init(ttlMinutes: 240))
        for arguments in [
            ["train"], ["train", "--minutes", "30", "--ttl", "90"], ["train", "--minutes", "0"],
            ["train", "--ttl", "0"], ["--minutes", "30"],
        ] {
            #expect(throws: (any Error).self) { try SessionExtendCommand.parse(arguments) }
        }
    }

    @Test func subcommandsAndAliasesAreReachable() throws {
        #expect(try SessionsCommand.parseAsRoot(["ls"]) is SessionsListCommand)
        #expect(try SessionsCommand.parseAsRoot(["show", "train"]) is SessionShowCommand)
        #expect(try SessionsCommand.parseAsRoot(["rm", "train"]) is SessionRemoveCommand)
        #expect(try SessionsCommand.parseAsRoot(["delete", "1a2b3c4d"]) is SessionRemoveCommand)
        #expect(try SessionsCommand.parseAsRoot(["stats", "--json"]) is SessionStatsCommand)
        #expect(try SessionsCommand.parseAsRoot(["create", "--profile", "none"]) is SessionCreateCommand)
        #expect(throws: (any Error).self) { try SessionsCommand.parseAsRoot(["show"]) }
        #expect(throws: (any Error).self) { try SessionsCommand.parseAsRoot(["rm"]) }
    }

    @Test func newCommandsAreRegistered() {
        let names = ClientCommands.all.compactMap { $0.configuration.commandName }
        for name in ["sessions", "gpus", "ssh-keys"] {
            #expect(names.contains(name))
        }
    }
}

@Suite struct SessionReferenceTests {
    let train = SessionSamples.session()
    let oldTrain = SessionSamples.session(id: "9f8e7d6c-0000-4000-8000-000000000002", status: .expired)
    let other = SessionSamples.session(id: "1a2b3c4e-0000-4000-8000-000000000003", name: "eval")

    @Test func liveNamesAndPrefixesResolveToIDs() throws {
        let all = [train, oldTrain, other]
        #expect(try SessionReference.resolve("train", among: all) == train.sessionId)
        #expect(try SessionReference.resolve("9f8e7d6c", among: all) == oldTrain.sessionId)
        #expect(try SessionReference.resolve("1A2B3C4E", among: all) == other.sessionId)
    }

    @Test func namesTheListDoesNotSettleGoToTheServer() throws {
        // Only an ended session has the name: the server resolves the caller's own names, ended ones included.
        #expect(try SessionReference.resolve("train", among: [oldTrain]) == nil)
        #expect(try SessionReference.resolve("unknown", among: []) == nil)
    }

    @Test func unknownPrefixesAndDuplicatesAreErrors() {
        #expect(throws: CLIError.notFound("no session named \"deadbeef\" or with an ID starting with it")) {
            try SessionReference.resolve("deadbeef", among: [train])
        }
        let bobsTrain = SessionSamples.session(id: "22222222-0000-4000-8000-000000000004", user: "bob")
        #expect(throws: CLIError.self) { try SessionReference.resolve("train", among: [train, bobsTrain]) }
    }

    @Test func onlyCreatingAndRunningAreLive() {
        #expect(SessionReference.isLive(.creating))
        #expect(SessionReference.isLive(.running))
        #expect(!SessionReference.isLive(.expired))
        #expect(!SessionReference.isLive(.terminated))
        #expect(!SessionReference.isLive(.failed))
    }
}
