import Foundation
import GantryOpenAPI
import Testing

@testable import GantryCLI

@Suite struct FormattingTests {
    @Test func cpuHasNoNoise() {
        #expect(Format.cpu(2) == "2")
        #expect(Format.cpu(0.5) == "0.5")
        #expect(Format.cpu(1.25) == "1.25")
        #expect(Format.cpu(0.1 + 0.2) == "0.3")
        #expect(Format.cpu(1e20) == "100000000000000000000")
    }

    @Test func agesAreCoarse() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(Format.age(of: now.addingTimeInterval(-45), now: now) == "45s")
        #expect(Format.age(of: now.addingTimeInterval(-600), now: now) == "10m")
        #expect(Format.age(of: now.addingTimeInterval(-7200), now: now) == "2h")
        #expect(Format.age(of: now.addingTimeInterval(-3 * 86400), now: now) == "3d")
        #expect(Format.age(of: now.addingTimeInterval(30), now: now) == "0s")
    }

    @Test func expiresInUsesTwoUnitsAndRoundsToTheMinute() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        func expires(after seconds: Double) -> String { Format.expiresIn(now.addingTimeInterval(seconds), now: now) }
        #expect(expires(after: 0) == "expired")
        #expect(expires(after: -30) == "expired")
        #expect(expires(after: 0.2) == "in 1s")
        #expect(expires(after: 45) == "in 45s")
        #expect(expires(after: 42 * 60) == "in 42m")
        #expect(expires(after: 42 * 60 + 20) == "in 42m")
        // A fresh one-hour session is a few milliseconds short of an hour.
        #expect(expires(after: 3600 - 0.05) == "in 1h")
        #expect(expires(after: 3600 + 5 * 60) == "in 1h 5m")
        #expect(expires(after: 2 * 86400) == "in 2d")
        #expect(expires(after: 2 * 86400 + 3 * 3600 + 50) == "in 2d 3h")
    }

    @Test func gigabytesHaveOneDecimal() {
        #expect(Format.gigabytes(megabytes: 81920) == "80 GB")
        #expect(Format.gigabytes(megabytes: 81559) == "79.6 GB")
        #expect(Format.gigabytes(megabytes: 0) == "0 GB")
    }

    @Test func shortIDAndDashes() {
        #expect(Format.shortID("1a2b3c4d-0000-4000-8000-000000000001") == "1a2b3c4d")
        #expect(Format.orDash(nil) == "-")
        #expect(Format.orDash("") == "-")
        #expect(Format.orDash("x") == "x")
    }

    @Test func datesParseWithAndWithoutFractionalSeconds() throws {
        let whole = try ISO8601Dates.parse("2025-01-02T03:04:05Z")
        let fractional = try ISO8601Dates.parse("2025-01-02T03:04:05.250Z")
        #expect(fractional.timeIntervalSince(whole) == 0.25)
        #expect(ISO8601Dates.format(whole) == "2025-01-02T03:04:05Z")
        #expect(ISO8601Dates.format(fractional) == "2025-01-02T03:04:05.250Z")
        #expect(throws: (any Error).self) { try ISO8601Dates.parse("yesterday") }
    }

    @Test func jsonOutputUsesWireNamesSortedKeys() throws {
        let quota = Components.Schemas.Quota(
            limits: .init(instances: 4, cpu: 8, memoryMb: 16384, gpus: 1),
            usage: .init(instances: 1, cpu: 0.5, memoryMb: 512, gpus: 0))
        #expect(
            try JSONOutput.render(quota) == """
                {
                  "limits" : {
                    "cpu" : 8,
                    "gpus" : 1,
                    "instances" : 4,
                    "memory_mb" : 16384
                  },
                  "usage" : {
                    "cpu" : 0.5,
                    "gpus" : 0,
                    "instances" : 1,
                    "memory_mb" : 512
                  }
                }
                """)
    }

    @Test func quotaTableShowsUsedAgainstLimit() {
        let quota = Components.Schemas.Quota(
            limits: .init(instances: 4, cpu: 8, memoryMb: 16384, gpus: 1),
            usage: .init(instances: 1, cpu: 0.5, memoryMb: 512, gpus: 0))
        #expect(
            QuotaRendering.table(quota) == """
                RESOURCE    USED   LIMIT
                instances      1       4
                cpu          0.5       8
                memory_mb    512   16384
                gpus           0       1

                """)
    }

    @Test func instanceTableShowsShortIDsAndDashes() throws {
        let created = try ISO8601Dates.parse("2025-01-01T00:00:00Z")
        let instance = Components.Schemas.Instance(
            id: "1a2b3c4d-0000-4000-8000-000000000001", name: "web", image: "jupyter",
            imageReference: "quay.io/jupyter/base-notebook", cpu: 0.5, memoryMb: 1024, gpus: 0,
            state: .pending, desiredState: .running, node: "node-1", hostIp: "10.0.0.5",
            ownerId: "11111111-0000-4000-8000-000000000001", createdAt: created, updatedAt: created,
            stateChangedAt: created)
        let table = InstanceRendering.table([instance], now: created.addingTimeInterval(90))
        #expect(
            table == """
                ID         NAME   IMAGE     STATE     CPU   MEM(MB)   GPUS   NODE     ENDPOINT   AGE
                1a2b3c4d   web    jupyter   pending   0.5      1024      0   node-1   -           1m

                """)
    }

    @Test func setQuotaKeepsLimitsThatWereNotGiven() {
        let current = Components.Schemas.QuotaOverride(instances: 4, cpu: 8, memoryMb: nil, gpus: 1)
        let merged = UserSetQuotaCommand.merged(
            current, instances: nil, cpu: 16, memoryMb: 2048, gpus: nil, reset: false)
        #expect(merged == .init(instances: 4, cpu: 16, memoryMb: 2048, gpus: 1))
        let reset = UserSetQuotaCommand.merged(
            current, instances: nil, cpu: 16, memoryMb: nil, gpus: nil, reset: true)
        #expect(reset == .init(cpu: 16))
    }

    @Test func waitingStopsAtRunningOrADeadEnd() {
        #expect(InstanceWaiter.verdict(for: .pending) == .keepWaiting)
        #expect(InstanceWaiter.verdict(for: .running) == .running)
        for state in [Components.Schemas.InstanceState.failed, .stopped, .stopping, .terminating, .terminated] {
            #expect(InstanceWaiter.verdict(for: state) == .deadEnd)
        }
    }
}
