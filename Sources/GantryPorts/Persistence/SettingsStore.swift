import Foundation
import GantryCore

public protocol SettingsStore: Sendable {
    func setting(_ key: String) async throws -> String?
    /// Stores `value` unless the key already has one; returns the value now stored. Replicas that
    /// race on first start therefore agree on one value.
    func settingSetIfAbsent(_ key: String, value: String) async throws -> String
    func setSetting(_ key: String, value: String) async throws
}
