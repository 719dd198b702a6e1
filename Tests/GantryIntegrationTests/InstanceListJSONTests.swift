import Foundation
import GantryCore
import GantryOpenAPI
import GantryPorts
import NIOCore
import Testing

@testable import GantryAPI

/// The hand-written instance listing must be byte-equal to what the generated types and the
/// server's JSON configuration write, for every shape an instance can take.
@Suite struct InstanceListJSONTests {
    static func generated(_ page: Page<Instance>) throws -> String {
        let encoder = JSONEncoder()
        // The server's configuration: APIHandler.serverConfiguration.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let dates = InternetDateTranscoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(try dates.encode(date))
        }
        let list = Components.Schemas.InstanceList(
            total: page.total, items: page.items.map(Components.Schemas.Instance.init))
        return String(decoding: try encoder.encode(list), as: UTF8.self)
    }

    /// Byte equality, with the first difference in the failure message.
    static func expectSame(_ page: Page<Instance>, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let hand = Array(try handWritten(page).utf8)
        let reference = Array(try generated(page).utf8)
        guard hand != reference else { return }
        let first =
            (0..<min(hand.count, reference.count)).first { hand[$0] != reference[$0] }
            ?? min(hand.count, reference.count)
        let context = { (bytes: [UInt8]) in
            String(decoding: bytes[max(0, first - 40)..<min(bytes.count, first + 40)], as: UTF8.self)
        }
        Issue.record(
            "differs at byte \(first): hand-written …\(context(hand))… generated …\(context(reference))…",
            sourceLocation: sourceLocation)
    }

    static func handWritten(_ page: Page<Instance>) throws -> String {
        let buffer = try #require(InstanceListJSON.encode(page))
        return String(buffer: buffer)
    }

    static func instance(
        name: String = "web", cpu: Double = 0.25, reason: String? = "running", port: Int? = 8001,
        container: String? = "c0ffee", state: InstanceState = .running, hostIP: String = "127.0.0.1",
        at seconds: TimeInterval = 1_764_000_000
    ) -> Instance {
        let id = UUID()
        let image = CatalogImage(
            name: "httpd", displayName: "httpd", reference: "gantry-test/httpd:latest", port: 8080, description: "")
        return Instance(
            id: id, name: name, ownerID: UUID(), image: image.name, imageReference: image.reference,
            containerPort: 8080, cpu: cpu, memoryMB: 128, gpus: 0, state: state, desiredState: .running,
            stateReason: reason, node: "local", hostIP: hostIP, hostPort: port, containerID: container,
            createdAt: Date(timeIntervalSince1970: seconds), updatedAt: Date(timeIntervalSince1970: seconds + 0.75),
            stateChangedAt: Date(timeIntervalSince1970: seconds + 61.5),
            template: .forInstance(id: id, name: name, image: image, pidsLimit: 512, hostBindIP: "0.0.0.0"))
    }

    @Test func theServerSortsKeys() {
        #expect(APIHandler.serverConfiguration.jsonEncodingOptions == [.sortedKeys, .withoutEscapingSlashes])
    }

    @Test func anEmptyPage() throws {
        let page = Page<Instance>(total: 0, items: [])
        try Self.expectSame(page)
    }

    @Test(arguments: [0.1, 0.25, 0.5, 1, 1.5, 2, 3.75, 16, 64.125, 0.3, 1.1, 2.675, 1_000_000])
    func everyCPUFigure(_ cpu: Double) throws {
        let page = Page(total: 1, items: [Self.instance(cpu: cpu)])
        try Self.expectSame(page)
    }

    @Test func optionalFieldsAbsentAndPresentAndEveryState() throws {
        var items = InstanceState.allCases.map { Self.instance(state: $0) }
        items.append(Self.instance(reason: nil, port: nil, container: nil, state: .pending))
        items.append(Self.instance(hostIP: "::1"))
        let page = Page(total: 120, items: items)
        try Self.expectSame(page)
    }

    @Test func reasonsWithEveryCharacterThatNeedsEscaping() throws {
        let reasons = [
            "quote \" backslash \\ slash / tab \t newline \n return \r",
            "controls \u{01}\u{08}\u{0B}\u{0C}\u{1F}\u{7F} end", "unicode é ü 漢字 🚀 \u{2028}\u{2029}",
            "container failed to start (500): {\"message\":\"driver failed\"}", "",
        ]
        let page = Page(total: reasons.count, items: reasons.map { Self.instance(reason: $0) })
        try Self.expectSame(page)
    }

    @Test func datesAcrossYearsAndFractions() throws {
        let seconds: [TimeInterval] = [0, 946_684_799.999, 1_700_000_000.5, 4_102_444_800, 253_402_300_799]
        let page = Page(total: seconds.count, items: seconds.map { Self.instance(at: $0) })
        try Self.expectSame(page)
    }

    @Test func aHundredInstances() throws {
        let page = Page(
            total: 100, items: (0..<100).map { Self.instance(name: "web-\($0)", cpu: 0.25 * Double($0 % 7 + 1)) })
        try Self.expectSame(page)
    }

    @Test func numbersJSONEncoderWritesInExponentFormAreLeftToIt() {
        #expect(InstanceListJSON.number(1e-7) == nil)
        #expect(InstanceListJSON.number(.nan) == nil)
        #expect(InstanceListJSON.number(2) == "2")
    }
}
