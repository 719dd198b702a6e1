import Foundation
import GantryCore
import Synchronization

/// A wall clock the test moves by hand; `wallClock` is what services are given.
public final class TestClock: Sendable {
    private let current: Mutex<Date>

    public init(_ start: Date) { current = Mutex(start) }

    public var now: Date { current.withLock { $0 } }

    public var wallClock: WallClock { WallClock { self.now } }

    public func advance(by interval: TimeInterval) { current.withLock { $0.addTimeInterval(interval) } }

    public func set(_ date: Date) { current.withLock { $0 = date } }
}
