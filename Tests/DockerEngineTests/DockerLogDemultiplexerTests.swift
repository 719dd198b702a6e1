import Testing

@testable import DockerEngine

@Suite struct DockerLogDemultiplexerTests {
    /// One engine frame: stream byte, three zeros, big-endian size, payload.
    private func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let size = UInt32(payload.count)
        let sizeBytes = [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
        return [stream, 0, 0, 0] + sizeBytes + payload
    }

    @Test func interleavesStdoutAndStderrInOrder() {
        let body = frame(1, "out one\n") + frame(2, "err one\n") + frame(1, "out two\n")
        #expect(DockerLogDemultiplexer.isMultiplexed(body))
        #expect(DockerLogDemultiplexer.text(from: body) == "out one\nerr one\nout two\n")
    }

    @Test func readsFramesLargerThan255Bytes() {
        let long = String(repeating: "x", count: 70_000)
        #expect(DockerLogDemultiplexer.text(from: frame(1, long) + frame(2, "!")) == long + "!")
    }

    @Test func emptyBodyIsEmptyText() {
        #expect(DockerLogDemultiplexer.text(from: []) == "")
    }

    @Test func emptyFramesAreSkipped() {
        #expect(DockerLogDemultiplexer.text(from: frame(1, "") + frame(2, "a") + frame(1, "")) == "a")
    }

    @Test func rawTTYBodyIsReturnedAsIs() {
        let raw = Array("hello from a tty\r\nsecond line\r\n".utf8)
        #expect(!DockerLogDemultiplexer.isMultiplexed(raw))
        #expect(DockerLogDemultiplexer.text(from: raw) == "hello from a tty\r\nsecond line\r\n")
    }

    @Test func shortRawBodyIsNotMistakenForAFrame() {
        #expect(DockerLogDemultiplexer.text(from: Array("ok\n".utf8)) == "ok\n")
    }

    @Test func truncatedLastFrameKeepsWhatArrived() {
        var body = frame(1, "complete\n") + frame(2, "cut short")
        body.removeLast(4)
        #expect(DockerLogDemultiplexer.text(from: body) == "complete\ncut s")
    }

    @Test func tornHeaderAtTheEndIsKeptAsBytes() {
        let body = frame(1, "a") + [1, 0, 0]
        #expect(DockerLogDemultiplexer.payload(of: body) == Array("a".utf8) + [1, 0, 0])
    }

    @Test func invalidUTF8IsReplacedNotFatal() {
        let payload: [UInt8] = [0x61, 0xFF, 0x62]
        let body: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 3] + payload
        #expect(DockerLogDemultiplexer.text(from: body) == "a\u{FFFD}b")
    }
}
