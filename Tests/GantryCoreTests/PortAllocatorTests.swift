import GantryCore
import Testing

@Suite struct PortAllocatorTests {
    let range = PortRange(lowerBound: 8000, upperBound: 8004)

    @Test func handsOutTheLowestFreePort() {
        #expect(PortAllocator.lowestFree(in: range, used: []) == 8000)
        #expect(PortAllocator.lowestFree(in: range, used: [8000, 8001, 8003]) == 8002)
    }

    @Test func skipsPortsKnownTakenOnTheHost() {
        #expect(PortAllocator.lowestFree(in: range, used: [8000], excluded: [8001, 8002]) == 8003)
    }

    @Test func returnsNilWhenTheRangeIsExhausted() {
        #expect(PortAllocator.lowestFree(in: range, used: Set(8000...8004)) == nil)
        #expect(PortAllocator.freeCount(in: range, used: Set(8000...8004)) == 0)
    }

    @Test func countsOnlyPortsInsideTheRange() {
        #expect(PortAllocator.freeCount(in: range, used: [7999, 8000, 9000]) == 4)
    }
}
