/// Bounds on one validation, so that no schema and no value can make a check run for long: a
/// schema whose `$ref`s fan out at every step, or a `pattern` that backtracks exponentially, is
/// stopped and reported instead of holding a thread for seconds.
public struct JSONSchemaLimits: Sendable, Equatable {
    /// Subschema evaluations (and item comparisons for `uniqueItems`) one validation may make.
    public var maxEvaluations: Int
    /// Wall-clock time one validation may take, regular expressions included.
    public var timeLimit: Duration

    public init(maxEvaluations: Int = 1_000_000, timeLimit: Duration = .milliseconds(500)) {
        self.maxEvaluations = maxEvaluations
        self.timeLimit = timeLimit
    }

    /// Room for every legitimate schema and value Gantry has seen, with a wide margin: a typical
    /// job input takes tens of evaluations and microseconds.
    public static let standard = JSONSchemaLimits()

    /// The largest worst-case evaluation count per value (`JSONSchema.worstCaseEvaluations`) a
    /// schema may have to be accepted by `JSONSchema.check`.
    public static let maxStaticEvaluations = 100_000
}

/// A validation stopped because it went past its `JSONSchemaLimits`; the value is neither valid
/// nor invalid, it was too expensive to decide.
public struct JSONSchemaLimitExceeded: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Limit: Sendable, Equatable {
        case evaluations(Int)
        case time(Duration)
    }

    public let limit: Limit

    public init(limit: Limit) {
        self.limit = limit
    }

    public var description: String {
        switch limit {
        case .evaluations(let count):
            "checking the value against the schema needed more than \(count) subschema evaluations"
        case .time(let duration):
            "checking the value against the schema took longer than \(Self.milliseconds(duration)) ms"
                + " (a pattern that backtracks on this value is the usual cause)"
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
