import Foundation
import GantryCore

public protocol LeaseStore: Sendable {
    /// Takes or renews the named lease for `holder` until `now + duration`; true when `holder`
    /// holds it afterwards. Replicas sharing a database use it so one of them runs each loop.
    func acquireLease(_ name: String, holder: String, duration: TimeInterval, now: Date) async throws -> Bool
}
