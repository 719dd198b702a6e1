import Foundation
import Synchronization

/// Access tokens whose signature already checked out, with the user and expiry they carry. A
/// client sends the same token with every request; verifying it once spares each request the
/// token's JSON decoding and HMAC. Only the exact token string hits, and expiry is still checked
/// on every use. Bounded: it starts over when full.
final class VerifiedTokenCache: Sendable {
    private struct Entry {
        let userID: UUID
        let expiresAt: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The user of a token verified before, while it has not expired at `now`.
    func userID(for token: String, now: Date) -> UUID? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expiresAt > now else {
                entries[token] = nil
                return nil
            }
            return entry.userID
        }
    }

    func remember(_ token: String, userID: UUID, expiresAt: Date) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = Entry(userID: userID, expiresAt: expiresAt)
        }
    }
}
