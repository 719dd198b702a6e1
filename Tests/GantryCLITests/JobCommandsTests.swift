import ArgumentParser
import Foundation
import GantryOpenAPI
import Testing

@testable import GantryCLI

@Suite struct JobCommandsTests {
    @Test func submitTakesAFileStdinOrInlineJSON() throws {
        let fromFile = try JobSubmitCommand.parse(["classifier", "--input", "in.json", "--wait", "--timeout", "30"])
        #expect(fromFile.plugin == "classifier")
        #expect(fromFile.inputSource(home: "/home/a") == .file("in.json"))
        #expect(fromFile.wait)
        #expect(fromFile.timeout == 30)
        #expect(try JobSubmitCommand.parse(["c", "--input", "-"]).inputSource(home: "/home/a") == .stdin)
        #expect(
            try JobSubmitCommand.parse(["c", "--input", "~/in.json"]).inputSource(home: "/home/a")
                == .file("/home/a/in.json"))
        let inline = try JobSubmitCommand.parse(["c", "--input-json", #"{"features":[1]}"#, "--json"])
        #expect(inline.inputSource(home: "/") == .text(#"{"features":[1]}"#, label: "--input-json"))
        #expect(inline.options.json)
        #expect(!inline.wait)
    }

    @Test(arguments: [
        ["classifier"],
        ["classifier", "--input", "a.json", "--input-json", "{}"],
        ["classifier", "--input", "a.json", "--timeout", "10"],
        ["classifier", "--input", "a.json", "--wait", "--timeout", "0"],
        ["classifier", "--input", "a.json", "--wait", "--timeout", "nan"],
        [" ", "--input", "a.json"],
        ["--input", "a.json"],
    ])
    func submitRejectsBadInput(_ arguments: [String]) {
        #expect(throws: (any Error).self) { try JobSubmitCommand.parse(arguments) }
    }

    @Test func inlineInputMustBeJSON() throws {
        #expect(try JSONInputFile.load(.text("[1, 2]", label: "--input-json")) == JobSamples.json("[1,2]"))
        #expect {
            try JSONInputFile.load(.text("{features: [1]}", label: "--input-json"))
        } throws: { error in
            guard case .invalidInput(let message) = error as? CLIError else { return false }
            return message.hasPrefix("--input-json is not valid JSON")
        }
    }

    /// Input is read with Gantry's own parser: a key given twice is refused with where it is, and
    /// within a command's number literals every number goes out exactly as written.
    @Test func inputKeepsItsNumbersAndRefusesDuplicateKeys() throws {
        #expect {
            try JSONInputFile.load(.text(#"{"a": 1, "a": 2}"#, label: "--input-json"))
        } throws: { error in
            guard case .invalidInput(let message) = error as? CLIError else { return false }
            return message.hasPrefix("--input-json is not valid JSON") && message.contains("'a' appears twice")
        }
        let text = #"{"big":99999999999999999999999,"huge":1e400,"neg":-0,"one":1.0,"e":1e2,"tenth":0.1}"#
        let sent = try NumberLiterals.$current.withValue(NumberLiterals()) {
            let input = try JSONInputFile.load(.text(text, label: "--input-json"))
            return try JSONOutput.render(Components.Schemas.NewJob(pluginName: "p", inputData: input))
        }
        for literal in [
            #""big" : 99999999999999999999999"#, #""huge" : 1e400"#, #""neg" : -0"#, #""one" : 1.0"#, #""e" : 1e2"#,
            #""tenth" : 0.1"#,
        ] {
            #expect(sent.contains(literal), "\(literal) in \(sent)")
        }
    }

    @Test func listFiltersAndTheDeadLetterList() throws {
        let list = try JobsListCommand.parse([
            "--status", "failed", "--plugin", "classifier", "--user", "bob", "--limit", "20",
        ])
        #expect(list.status?.status == .failed)
        #expect(list.plugin == "classifier")
        #expect(list.user == "bob")
        #expect(list.page.limit == 20)
        #expect(!list.dead)
        #expect(try JobsListCommand.parse(["--dead", "--plugin", "classifier"]).dead)
        #expect(try JobsListCommand.parse(["--all"]).all)
        for arguments in [["--dead", "--status", "failed"], ["--dead", "--user", "bob"], ["--status", "dead"]] {
            #expect(throws: (any Error).self) { try JobsListCommand.parse(arguments) }
        }
    }

    @Test func subcommandsAndAliasesAreReachable() throws {
        #expect(try JobsCommand.parseAsRoot(["ls"]) is JobsListCommand)
        #expect(try JobsCommand.parseAsRoot(["submit", "c", "--input-json", "{}"]) is JobSubmitCommand)
        #expect(try JobsCommand.parseAsRoot(["show", "1a2b3c4d"]) is JobShowCommand)
        #expect(try JobsCommand.parseAsRoot(["cancel", "1a2b3c4d"]) is JobCancelCommand)
        #expect(try JobsCommand.parseAsRoot(["requeue", "1a2b3c4d"]) is JobRequeueCommand)
        #expect(try JobsCommand.parseAsRoot(["stats"]) is JobStatsCommand)
        #expect(try PluginsCommand.parseAsRoot(["ls", "--name", "class"]) is PluginsListCommand)
        #expect(try PluginsCommand.parseAsRoot(["show", "classifier"]) is PluginShowCommand)
        #expect(try PluginsCommand.parseAsRoot(["rm", "classifier"]) is PluginRemoveCommand)
        #expect(try PluginsCommand.parseAsRoot(["update", "plugin.json"]) is PluginUpdateCommand)
        let register = try PluginsCommand.parseAsRoot(["register", "--update", "-"])
        #expect((register as? PluginRegisterCommand)?.update == true)
        #expect((register as? PluginRegisterCommand)?.file == "-")
        #expect(ClientCommands.all.contains { $0 == PluginsCommand.self })
        #expect(ClientCommands.all.contains { $0 == JobsCommand.self })
    }

    @Test func jobReferencesAreIDsOrPrefixes() throws {
        let jobs = [
            JobSamples.job(id: "1a2b3c4d-0000-4000-8000-000000000001"),
            JobSamples.job(id: "1a2b3c4d-1111-4000-8000-000000000002"),
            JobSamples.job(id: "9f8e7d6c-0000-4000-8000-000000000003"),
        ]
        #expect(
            try JobReference.resolve("1A2B3C4D-0000-4000-8000-000000000001", among: [])
                == "1a2b3c4d-0000-4000-8000-000000000001")
        #expect(try JobReference.resolve("9f8e7d6c", among: jobs) == "9f8e7d6c-0000-4000-8000-000000000003")
        #expect(try JobReference.resolve(" 1a2b3c4d-11 ", among: jobs) == "1a2b3c4d-1111-4000-8000-000000000002")
        #expect {
            try JobReference.resolve("1a2b3c4d", among: jobs)
        } throws: { error in
            guard case .ambiguous(let message) = error as? CLIError else { return false }
            return message.contains("matches 2 jobs") && message.contains("1a2b3c4d-1111-4000-8000-000000000002")
        }
        #expect(throws: CLIError.notFound("no job with an ID starting with \"deadbeef\"")) {
            try JobReference.resolve("deadbeef", among: jobs)
        }
        #expect(
            throws: CLIError.notFound(
                "no job with an ID starting with \"deadbeef\" among the 3 newest jobs; give the full ID for an older one"
            )
        ) {
            try JobReference.resolve("deadbeef", among: jobs, isComplete: false)
        }
        for reference in ["1a2b", "classifier", ""] {
            #expect(throws: CLIError.self) { try JobReference.resolve(reference, among: jobs) }
        }
    }

    @Test func eventsDecodeFromTheStreamsData() throws {
        let event = ServerSentEvent(
            type: "progress",
            data: #"{"sequence":4,"job_id":"1a2b3c4d-0000-4000-8000-000000000001","kind":"progress","#
                + #""status":"processing","attempt":1,"progress":0.5,"message":"half","at":"2025-01-01T00:00:04.250Z"}"#,
            id: "4")
        let decoded = try #require(JobWaiter.jobEvent(in: event))
        #expect(decoded.sequence == 4)
        #expect(decoded.kind == .progress)
        #expect(decoded.progress == 0.5)
        #expect(decoded.at == JobSamples.created.addingTimeInterval(4.25))
        #expect(JobWaiter.jobEvent(in: ServerSentEvent(data: "keep-alive")) == nil)
    }

    @Test func trackerReportsEachChangeOnce() {
        var tracker = JobProgressTracker()
        let queued = JobSamples.job(status: .queued, attempts: 0, progress: nil, completedAfter: nil)
        #expect(tracker.lines(for: queued) == ["job 1a2b3c4d: queued"])
        // The stream replays the queued event the submit response already showed.
        #expect(tracker.lines(for: JobSamples.event(1, .status, .queued, attempt: 0)) == [])
        #expect(
            tracker.lines(for: JobSamples.event(2, .status, .processing)) == ["job 1a2b3c4d: processing (attempt 1)"])
        #expect(
            tracker.lines(for: JobSamples.event(3, .progress, .processing, progress: 0.251))
                == ["job 1a2b3c4d: 25%"])
        #expect(tracker.lines(for: JobSamples.event(4, .progress, .processing, progress: 0.249)) == [])
        #expect(
            tracker.lines(for: JobSamples.event(5, .progress, .processing, progress: 0.5, message: "half"))
                == ["job 1a2b3c4d: 50% (half)"])
        // Seen before (a reconnect replays it): nothing new.
        #expect(tracker.lines(for: JobSamples.event(5, .progress, .processing, progress: 0.5, message: "half")) == [])
        #expect(
            tracker.lines(for: JobSamples.event(6, .status, .queued, attempt: 1, message: "timed out"))
                == ["job 1a2b3c4d: queued again after attempt 1: timed out"])

        // Polling carries on where the stream stopped.
        let retrying = JobSamples.job(status: .processing, attempts: 2, progress: 0.1, completedAfter: nil)
        #expect(tracker.lines(for: retrying) == ["job 1a2b3c4d: processing (attempt 2)", "job 1a2b3c4d: 10%"])
        #expect(tracker.lines(for: retrying) == [])
        #expect(tracker.lines(for: JobSamples.job(attempts: 2)) == ["job 1a2b3c4d: completed"])
    }
}
