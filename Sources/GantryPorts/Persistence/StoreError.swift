import Foundation
import GantryCore

public enum StoreError: Error, Sendable, Equatable {
    /// A uniqueness constraint rejected the write; `field` names what collided.
    case duplicate(field: String)
    case notFound
    /// The database could not be reached or answered with an error.
    case unavailable(String)
}
