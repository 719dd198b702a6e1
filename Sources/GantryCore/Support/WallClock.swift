import Foundation

/// Where services read the time of the state changes they record: the system clock in the
/// server, a clock the test controls in tests. Never `Date()` inline in a service.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    public var now: Date { read() }

    public static let system = WallClock { Date() }
}
