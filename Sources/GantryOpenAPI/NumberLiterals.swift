import GantryCore
import Synchronization

/// Numbers of one response that the generated encoder cannot spell.
///
/// The generated types carry free-form JSON (job inputs and results, plugin schemas) as
/// `OpenAPIValueContainer`, and `JSONEncoder` writes its numbers from an `Int` or a `Double`:
/// `99999999999999999999999`, `1.0` or `1e2` cannot come out as written. Such a number goes into
/// the container as a placeholder string naming it, and the edge writes the literal in the
/// placeholder's place once the body is encoded: the server's `NumberLiteralMiddleware` in its
/// responses, the CLI's `NumberLiteralClientMiddleware` in its requests and `--json` output. The
/// placeholder carries a random token of this process, so no string a peer sends can pass for one.
public final class NumberLiterals: Sendable {
    @TaskLocal public static var current: NumberLiterals?

    /// 128 random bits, drawn once per process.
    public static let token: String = {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined(separator: "-")
    }()

    public static let placeholderPrefix = "gantry-number:\(token):"

    private let literals = Mutex<[String]>([])

    public init() {}

    /// The string to encode in place of `number`.
    public func placeholder(for number: JSONNumber) -> String {
        let index = literals.withLock { literals in
            literals.append(number.literal)
            return literals.count - 1
        }
        return Self.placeholderPrefix + String(index)
    }

    public var isEmpty: Bool { literals.withLock { $0.isEmpty } }

    /// `body` with every quoted placeholder replaced by its literal.
    public func splice(into body: [UInt8]) -> [UInt8] {
        let known = literals.withLock { $0 }
        let opening = Array(("\"" + Self.placeholderPrefix).utf8)
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var rest = body[...]
        while let found = rest.firstRange(of: opening) {
            output.append(contentsOf: rest[..<found.lowerBound])
            var cursor = found.upperBound
            var index = 0
            while cursor < rest.endIndex, let digit = Self.digit(rest[cursor]) {
                index = index &* 10 &+ digit
                cursor += 1
            }
            guard cursor > found.upperBound, cursor < rest.endIndex, rest[cursor] == UInt8(ascii: "\""),
                known.indices.contains(index)
            else {
                // Not one of ours after all: keep it as it is.
                output.append(contentsOf: rest[found])
                rest = rest[found.upperBound...]
                continue
            }
            output.append(contentsOf: known[index].utf8)
            rest = rest[(cursor + 1)...]
        }
        output.append(contentsOf: rest)
        return output
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }
}
