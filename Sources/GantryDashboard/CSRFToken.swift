import Crypto
import Foundation

/// Cross-site request forgery tokens. A signed-in form carries an HMAC of the session token,
/// which a page on another site can neither read nor compute; the sign-in form, which has no
/// session yet, uses a random value that must match its own cookie (double submit).
enum CSRFToken {
    static let fieldName = "_csrf"
    static let headerName = "X-CSRF-Token"

    static func forSession(_ sessionToken: String) -> String {
        let key = SymmetricKey(data: Data(sessionToken.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("gantry-dashboard-csrf".utf8), using: key)
        return Data(mac).map { String(format: "%02x", $0) }.joined()
    }

    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<24).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }
            .joined()
    }

    /// Constant-time comparison, so the token cannot be guessed a byte at a time.
    static func matches(_ given: String?, _ expected: String) -> Bool {
        guard let given else { return false }
        let a = Array(given.utf8)
        let b = Array(expected.utf8)
        guard a.count == b.count, !b.isEmpty else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
