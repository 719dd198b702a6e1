import HummingbirdBcrypt
import Synchronization

/// bcrypt password hashing on the CPU pool (a hash takes ~250 ms at cost 12); `cost` is
/// configurable so tests can use a cheap one.
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    private let decoy: Decoy

    public init(cost: UInt8 = 12) {
        self.cost = cost
        self.decoy = Decoy()
    }

    public func hash(_ password: String) async -> String {
        let cost = cost
        return await CPUWork.run { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async -> Bool {
        await CPUWork.run { Bcrypt.verify(password, hash: hash) }
    }

    /// Spends the time a verification takes when a sign-in names no known user, so that its
    /// refusal comes exactly as late as a wrong password's and timing tells nobody which
    /// usernames exist.
    public func verifyAgainstNothing(_ password: String) async {
        let decoy = await decoy.hash(cost: cost)
        _ = await verify(password, hash: decoy)
    }

    /// A hash of a random secret at this cost, made on first use.
    private final class Decoy: Sendable {
        private let made = Mutex<String?>(nil)

        func hash(cost: UInt8) async -> String {
            if let made = made.withLock({ $0 }) { return made }
            let fresh = await CPUWork.run { Bcrypt.hash(SecretGenerator.password(), cost: cost) }
            return made.withLock { made in
                if made == nil { made = fresh }
                return made ?? fresh
            }
        }
    }
}
