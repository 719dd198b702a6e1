import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// What a live page region should show now.
enum LiveSnapshot: Sendable, Equatable {
    /// Table rows keyed by id, in order; `empty` is shown when there are none.
    case rows([LiveRow], empty: String)
    /// A whole region; `terminal` ends the stream after it is sent (a finished job).
    case replace(String, terminal: Bool)
}

struct LiveRow: Sendable, Equatable, Encodable {
    var id: String
    var html: String
}

/// Server-sent events that keep a page region current: the server renders the same partials the
/// page used, every `interval`, and sends them only when they changed. The script patches the
/// rows in place (see gantry.js, `data-live`). Streams end after `maxDuration` (the browser
/// reconnects) or when the server shuts down.
struct LiveUpdates: Sendable {
    var interval: Duration = .seconds(1)
    var heartbeatInterval: Duration = .seconds(15)
    var maxDuration: Duration = .seconds(300)
    /// How often the viewer's session is checked again, so signing out or deactivation also
    /// ends the streams already open.
    var recheckInterval: Duration = .seconds(10)

    /// `stillAllowed` is asked every `recheckInterval`; the stream ends when it says no.
    func response(
        stillAllowed: @escaping @Sendable () async -> Bool = { true },
        _ snapshot: @escaping @Sendable () async throws -> LiveSnapshot
    ) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        if let buffering = HTTPField.Name("X-Accel-Buffering") { headers[buffering] = "no" }
        let interval = interval
        let heartbeatInterval = heartbeatInterval
        let maxDuration = maxDuration
        let recheckInterval = recheckInterval
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                var last: LiveSnapshot?
                var elapsed = Duration.zero
                var quiet = Duration.zero
                var sinceCheck = Duration.zero
                while !Task.isCancelled, !Task.isShuttingDownGracefully, elapsed < maxDuration {
                    if sinceCheck >= recheckInterval {
                        guard await stillAllowed() else { break }
                        sinceCheck = .zero
                    }
                    let current = try await snapshot()
                    if current != last {
                        try await writer.write(ByteBuffer(string: Self.event(for: current)))
                        last = current
                        quiet = .zero
                        if case .replace(_, terminal: true) = current {
                            try await writer.write(ByteBuffer(string: "event: end\ndata: {}\n\n"))
                            break
                        }
                    } else if quiet >= heartbeatInterval {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        quiet = .zero
                    }
                    try await Task.sleep(for: interval)
                    elapsed += interval
                    quiet += interval
                    sinceCheck += interval
                }
                try await writer.finish(nil)
            })
    }

    static func event(for snapshot: LiveSnapshot) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let name: String
        let data: Data?
        switch snapshot {
        case .rows(let rows, let empty):
            struct Payload: Encodable {
                var rows: [LiveRow]
                var empty: String
            }
            name = "rows"
            data = try? encoder.encode(Payload(rows: rows, empty: empty))
        case .replace(let html, _):
            struct Payload: Encodable { var html: String }
            name = "replace"
            data = try? encoder.encode(Payload(html: html))
        }
        // JSON never holds a raw newline, so the payload is one `data:` line.
        return "event: \(name)\ndata: \(String(decoding: data ?? Data("{}".utf8), as: UTF8.self))\n\n"
    }
}
