/// How many connections that have not signed in yet the gateway holds, after OpenSSH's
/// `MaxStartups`, `PerSourceMaxStartups` and `PerSourcePenalties`. Without them a thousand idle
/// TCP connections fill the gateway and lock every user out. With them one address holds at most
/// `perSource` such connections; past `start` of them in all, new ones are dropped at random
/// (from `rate` percent, rising to all of them at `full`); and an address whose connections run
/// out the login grace is refused for a while. `full` stays below the connection limit, so users
/// who have signed in always have room.
public struct SSHStartupLimits: Sendable, Equatable {
    /// Connections not signed in yet that one source address may hold.
    public var perSource: Int
    /// Connections not signed in yet, in all, before early drops begin.
    public var start: Int
    /// The share of new connections dropped at `start`, in percent.
    public var rate: Int
    /// Connections not signed in yet, in all, at which every new one is refused.
    public var full: Int
    /// How long an address is refused after one of its connections ran out the login grace
    /// (or sent nothing at all); repeated offences add up, to at most `maximumPenalty`.
    public var graceExceededPenalty: Duration
    public var maximumPenalty: Duration

    public init(
        perSource: Int = 10, start: Int = 100, rate: Int = 30, full: Int = 300,
        graceExceededPenalty: Duration = .seconds(30), maximumPenalty: Duration = .seconds(600)
    ) {
        self.perSource = perSource
        self.start = start
        self.rate = rate
        self.full = full
        self.graceExceededPenalty = graceExceededPenalty
        self.maximumPenalty = maximumPenalty
    }

    /// Why a new connection is refused, for the log and the metric's label.
    public enum Refusal: String, Error, Sendable, Equatable {
        case penalised = "source_penalised"
        case perSource = "source_limit"
        case full = "startups_full"
        case droppedEarly = "startups_dropped"
        case tooManyConnections = "connection_limit"
        case shuttingDown = "shutting_down"

        var explanation: String {
            switch self {
            case .penalised: "the address is refused for a while: its connections did not sign in in time"
            case .perSource: "too many connections from this address have not signed in"
            case .full: "too many connections have not signed in"
            case .droppedEarly: "dropped early: many connections have not signed in"
            case .tooManyConnections: "too many connections"
            case .shuttingDown: "the gateway is shutting down"
            }
        }
    }

    /// Whether to take one more connection that has not signed in. `roll` is a random number in
    /// 0..<100, passed in so the rule stays a pure function.
    func refusal(unauthenticated: Int, fromSource: Int, penalised: Bool, roll: Int) -> Refusal? {
        if penalised { return .penalised }
        if fromSource >= max(perSource, 1) { return .perSource }
        let full = max(full, 1)
        if unauthenticated >= full { return .full }
        let start = min(max(start, 0), full)
        guard unauthenticated >= start, full > start else { return nil }
        let rate = min(max(rate, 0), 100)
        let dropPercent = rate + (100 - rate) * (unauthenticated - start) / (full - start)
        return roll < dropPercent ? .droppedEarly : nil
    }
}
