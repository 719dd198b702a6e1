import Foundation
import GantryCore
import Testing

@Suite("Job retry policy and plugin output contract")
struct JobRulesTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    @Test("backoff is 1 s, 2 s, 4 s for seed 003's three retries, then the job is dead-lettered")
    func retryPolicy() {
        let policy = JobRetryPolicy()
        #expect(policy.maxAttempts == 4)
        let failure = JobFailure(.pluginError, "boom", exitCode: 1)
        #expect(policy.decide(after: failure, attempt: 1, maxAttempts: 4, now: now) == .retry(at: now + 1))
        #expect(policy.decide(after: failure, attempt: 2, maxAttempts: 4, now: now) == .retry(at: now + 2))
        #expect(policy.decide(after: failure, attempt: 3, maxAttempts: 4, now: now) == .retry(at: now + 4))
        #expect(policy.decide(after: failure, attempt: 4, maxAttempts: 4, now: now) == .fail(deadLetter: true))
        #expect(
            JobRetryPolicy(maxRetries: 0).decide(after: failure, attempt: 1, maxAttempts: 1, now: now)
                == .fail(deadLetter: true))
        #expect(JobRetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(10)).delay(beforeRetry: 30) == .seconds(10))
    }

    @Test("deterministic failures are not retried; a cancelled job is not dead-lettered")
    func nonRetryable() {
        let policy = JobRetryPolicy()
        for reason in [JobFailure.Reason.invalidOutput, .expired, .pluginMissing] {
            #expect(!reason.isRetryable)
            #expect(
                policy.decide(after: JobFailure(reason, "x"), attempt: 1, maxAttempts: 4, now: now)
                    == .fail(deadLetter: true))
        }
        #expect(
            policy.decide(after: JobFailure(.cancelled, "x"), attempt: 1, maxAttempts: 4, now: now)
                == .fail(deadLetter: false))
        for reason in [JobFailure.Reason.pluginError, .timeout, .containerError, .workerLost] {
            #expect(reason.isRetryable)
        }
    }

    @Test("the last JSON document on stdout is the result")
    func lastDocument() {
        #expect(PluginOutput.result(fromStdout: #"{"a":1}"#) == .object(["a": .integer(1)]))
        #expect(
            PluginOutput.result(fromStdout: "log line\n{\"a\":1}\nmore log\n{\"b\":2}\n") == .object(["b": .integer(2)])
        )
        #expect(
            PluginOutput.result(fromStdout: "starting\n{\n  \"a\": [1,\n 2]\n}\ndone\n")
                == .object(["a": .array([.integer(1), .integer(2)])]))
        #expect(PluginOutput.result(fromStdout: "[1, 2]") == .array([.integer(1), .integer(2)]))
        #expect(PluginOutput.result(fromStdout: "hello, not json") == nil)
        #expect(PluginOutput.result(fromStdout: "   \n") == nil)
    }

    @Test("progress lines are read from stderr, clamped, percentages understood")
    func progress() {
        #expect(PluginOutput.progress(inStderrLine: #"{"progress": 0.4}"#) == 0.4)
        #expect(PluginOutput.progress(inStderrLine: #"  {"progress": 40, "message": "x"}  "#) == 0.4)
        #expect(PluginOutput.progress(inStderrLine: #"{"progress": -3}"#) == 0)
        #expect(PluginOutput.progress(inStderrLine: #"{"progress": 250}"#) == 1)
        #expect(PluginOutput.progress(inStderrLine: "progress: 40%") == nil)
        #expect(PluginOutput.progress(inStderrLine: #"{"progress": "half"}"#) == nil)
    }

    @Test("stderr's tail keeps the last lines within bounds")
    func stderrTail() {
        var tail = StderrTail(maxLines: 2, maxCharacters: 10)
        for line in ["one", "", "two", "three"] { tail.append(Substring(line)) }
        #expect(tail.text == "two\nthree")
        tail.append(Substring(String(repeating: "x", count: 50)))
        #expect(tail.text.count == 10)
    }

    @Test("lines are split as bytes arrive, and endless lines are cut")
    func lineSplitter() {
        var splitter = LineSplitter(maxLineBytes: 4)
        #expect(splitter.feed(Array("ab\ncd".utf8)) == ["ab"])
        #expect(splitter.feed(Array("e\nfghij".utf8)) == ["cde", "fghi"])
        #expect(splitter.finish() == "j")
        #expect(splitter.finish() == nil)
    }

    @Test("plugin names follow seed 003's pattern")
    func pluginNames() {
        #expect(Identifiers.isValidPluginName("example-classifier"))
        #expect(Identifiers.isValidPluginName("a1"))
        #expect(!Identifiers.isValidPluginName(""))
        #expect(!Identifiers.isValidPluginName("Upper"))
        #expect(!Identifiers.isValidPluginName("under_score"))
        #expect(Identifiers.isValidPluginName(String(repeating: "a", count: 100)))
        #expect(!Identifiers.isValidPluginName(String(repeating: "a", count: 101)))
    }
}
