import Foundation
import GantryCore
import GantryOpenAPI
import GantryServices
import OpenAPIRuntime

/// A job's events as server-sent events: the stored ones after `after`, then new ones as they are
/// written, until the job's terminal event. Reading from the event log (not memory) means every
/// replica can serve it and a reconnect with `Last-Event-ID` misses nothing.
struct JobEventStream: Sendable {
    let jobs: JobService
    let jobID: UUID
    let after: Int64
    /// How often the log is read for new events.
    var pollInterval = Duration.milliseconds(200)
    /// A comment line this often keeps proxies from closing an idle stream.
    var heartbeatInterval = Duration.seconds(15)

    func body() -> HTTPBody {
        let (stream, continuation) = AsyncThrowingStream<ArraySlice<UInt8>, any Error>.makeStream()
        let producer = Task {
            do {
                try await produce(into: continuation)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in producer.cancel() }
        return HTTPBody(stream, length: .unknown, iterationBehavior: .single)
    }

    private func produce(into continuation: AsyncThrowingStream<ArraySlice<UInt8>, any Error>.Continuation) async throws
    {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var last = after
        var sinceHeartbeat = Duration.zero
        continuation.yield(ArraySlice("retry: 1000\n\n".utf8))
        while !Task.isCancelled {
            let events = try await jobs.events(jobID: jobID, after: last)
            for event in events {
                let data = try encoder.encode(Components.Schemas.JobEvent(event))
                let text =
                    "id: \(event.sequence)\nevent: \(event.kind.rawValue)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
                continuation.yield(ArraySlice(text.utf8))
                last = event.sequence
                if event.kind == .status, event.status.isTerminal { return }
            }
            if events.isEmpty {
                try await Task.sleep(for: pollInterval)
                sinceHeartbeat += pollInterval
                if sinceHeartbeat >= heartbeatInterval {
                    continuation.yield(ArraySlice(": keep-alive\n\n".utf8))
                    sinceHeartbeat = .zero
                }
            } else {
                sinceHeartbeat = .zero
            }
        }
    }
}
