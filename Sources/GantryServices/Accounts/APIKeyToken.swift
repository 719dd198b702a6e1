import Crypto
import Foundation

/// API key tokens: `gk_` and 32 random bytes in URL-safe base64. Only their SHA-256 is stored.
public enum APIKeyToken {
    public static let prefix = "gk_"

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let encoded = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + encoded
    }

    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public static func looksLikeAPIKey(_ token: String) -> Bool { token.hasPrefix(prefix) }
}

/// Random secrets for JWT signing and generated passwords.
public enum SecretGenerator {
    public static func password(length: Int = 20) -> String {
        // No ambiguous characters, and at least one digit, so it passes the strength rule.
        let letters = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ")
        let digits = Array("23456789")
        let all = letters + digits
        var generator = SystemRandomNumberGenerator()
        var characters = (0..<(length - 2)).map { _ in all.randomElement(using: &generator) ?? "x" }
        characters.append(letters.randomElement(using: &generator) ?? "a")
        characters.append(digits.randomElement(using: &generator) ?? "2")
        return String(characters.shuffled(using: &generator))
    }

    public static func hex(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }
            .joined()
    }
}
