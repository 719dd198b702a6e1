import Foundation
import GantryCore

/// The persistence adapter: one implementation, on FluentKit, for SQLite and PostgreSQL.
public protocol Store:
    UserStore, APIKeyStore, SettingsStore, ImageStore, NodeStore, InstanceStore, LeaseStore, SSHKeyStore,
    GPUInventoryStore, SessionStore, PluginStore, JobStore, WebSessionStore
{
    /// Runs a trivial query; throws when the database does not answer.
    func ping() async throws
}
