/// Host ports are handed out from a range, lowest free first (seed 000: from 8000 up).
public struct PortRange: Sendable, Equatable {
    public var lowerBound: Int
    public var upperBound: Int

    public init(lowerBound: Int, upperBound: Int) {
        self.lowerBound = lowerBound
        self.upperBound = upperBound
    }

    public var count: Int { max(upperBound - lowerBound + 1, 0) }
}

public enum PortAllocator {
    /// The lowest port in `range` that is neither in use by Gantry on that node nor known to be
    /// taken on the host; `nil` when the range is exhausted.
    public static func lowestFree(in range: PortRange, used: Set<Int>, excluded: Set<Int> = []) -> Int? {
        guard range.count > 0 else { return nil }
        for port in range.lowerBound...range.upperBound where !used.contains(port) && !excluded.contains(port) {
            return port
        }
        return nil
    }

    public static func freeCount(in range: PortRange, used: Set<Int>) -> Int {
        range.count - used.filter { $0 >= range.lowerBound && $0 <= range.upperBound }.count
    }
}
