import Testing

@testable import GantryCLI

@Suite struct ServerSentEventParserTests {
    @Test func eventIDAndDataFieldsMakeAnEvent() {
        let events = ServerSentEventParser.events(
            in: "event: status\nid: 7\ndata: {\"sequence\":7}\n\n")
        #expect(events == [ServerSentEvent(type: "status", data: "{\"sequence\":7}", id: "7")])
    }

    @Test func dataLinesAreJoinedWithNewlines() {
        let events = ServerSentEventParser.events(in: "data: first\ndata:second\ndata\ndata:  indented\n\n")
        #expect(events == [ServerSentEvent(data: "first\nsecond\n\n indented")])
    }

    @Test func commentsAndUnknownFieldsAreIgnored() {
        let events = ServerSentEventParser.events(in: ": keep-alive\n\nfoo: bar\ndata: x\n: between\n\n:\n\n")
        #expect(events == [ServerSentEvent(data: "x")])
    }

    @Test func eventsWithoutDataAreNotDispatchedButTheirIDSticks() {
        var parser = ServerSentEventParser()
        let events = parser.feed("id: 3\nevent: status\n\ndata: a\n\nid: 4\ndata: b\n\ndata: c\n\n".utf8)
        // The type is reset by the blank line, the ID is not.
        #expect(
            events == [
                ServerSentEvent(data: "a", id: "3"), ServerSentEvent(data: "b", id: "4"),
                ServerSentEvent(data: "c", id: "4"),
            ])
        #expect(parser.lastEventID == "4")
    }

    @Test func everyKindOfLineBreakEndsALine() {
        let expected = [ServerSentEvent(type: "progress", data: "1\n2")]
        #expect(ServerSentEventParser.events(in: "event: progress\r\ndata: 1\r\ndata: 2\r\n\r\n") == expected)
        #expect(ServerSentEventParser.events(in: "event: progress\rdata: 1\rdata: 2\r\r") == expected)
        #expect(ServerSentEventParser.events(in: "event: progress\ndata: 1\r\ndata: 2\r\r\n") == expected)
    }

    @Test func chunksMaySplitLinesLineBreaksAndCharacters() {
        let stream = Array("event: status\r\nid: 12\r\ndata: {\"message\":\"größer ✓\"}\r\n\r\ndata: next\r\n\r\n".utf8)
        let whole = ServerSentEventParser.events(in: String(decoding: stream, as: UTF8.self))
        #expect(whole.count == 2)
        #expect(whole.first?.data == "{\"message\":\"größer ✓\"}")
        // Byte by byte splits every CRLF and every multi-byte character.
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in stream { events += parser.feed([byte]) }
        #expect(events == whole)
        // Uneven chunks, as a network delivers them.
        for size in [2, 3, 5, 7, 11] {
            var chunked = ServerSentEventParser()
            var collected: [ServerSentEvent] = []
            var start = 0
            while start < stream.count {
                let end = min(start + size, stream.count)
                collected += chunked.feed(stream[start..<end])
                start = end
            }
            #expect(collected == whole, "chunk size \(size)")
        }
    }

    @Test func anUnfinishedEventIsNotDispatched() {
        var parser = ServerSentEventParser()
        #expect(parser.feed("data: complete\n\ndata: cut off".utf8) == [ServerSentEvent(data: "complete")])
        #expect(parser.feed("\n".utf8) == [])
        #expect(ServerSentEventParser.events(in: "data: no blank line after it\n") == [])
    }

    @Test func onlyOneSpaceAfterTheColonIsDropped() {
        #expect(ServerSentEventParser.events(in: "data:   x \n\n") == [ServerSentEvent(data: "  x ")])
        #expect(
            ServerSentEventParser.events(in: "event:status\ndata:x\n\n") == [ServerSentEvent(type: "status", data: "x")]
        )
    }

    @Test func aLeadingByteOrderMarkIsSkipped() {
        #expect(ServerSentEventParser.events(in: "\u{FEFF}data: x\n\n") == [ServerSentEvent(data: "x")])
    }

    @Test func retryTakesDigitsOnlyAndIDsWithNULAreIgnored() {
        var parser = ServerSentEventParser()
        _ = parser.feed("retry: 2500\nid: 1\n\nretry: soon\nid: a\u{0}b\n\n".utf8)
        #expect(parser.retryMilliseconds == 2500)
        #expect(parser.lastEventID == "1")
        _ = parser.feed("id\n\n".utf8)
        // A bare `id` sets an empty ID, which tells the server to start over.
        #expect(parser.lastEventID == "")
    }

    @Test func anEmptyDataFieldStillMakesAnEvent() {
        #expect(ServerSentEventParser.events(in: "data:\n\n") == [ServerSentEvent(data: "")])
        #expect(ServerSentEventParser.events(in: "event: ping\n\n") == [])
    }
}
