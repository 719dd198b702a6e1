import Foundation
import GantryCore
import Logging

/// Every setting of `gantry serve`, read from `GANTRY_*` environment variables, optionally from
/// a `KEY=value` file named by `GANTRY_CONFIG_FILE` (the environment wins), and validated once at
/// start. The README's settings table lists the same keys and defaults.
public struct GantryConfiguration: Sendable {
    public var dataDirectory: String
    public var databaseURL: String?
    public var dockerHost: String
    public var httpHost: String
    public var httpPort: Int
    public var jwtSecret: String?
    public var tokenLifetimeMinutes: Int
    public var adminPassword: String?
    public var defaultQuota: QuotaLimits
    public var portRange: PortRange
    public var nodeName: String
    /// Address used in instance endpoints; detected from the host's interfaces when unset.
    public var nodeAddress: String?
    public var publishAddress: String
    public var reconcileIntervalSeconds: Double
    public var openSignUp: Bool
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    public var bcryptCost: Int
    public var containerPidsLimit: Int
    public var cpuOvercommit: Double

    public enum LogFormat: String, Sendable {
        case json
        case text
    }

    /// One documented setting: the single source for parsing and for `gantry serve --help-settings`.
    public struct Setting: Sendable {
        public var key: String
        public var defaultValue: String
        public var meaning: String
    }

    public static let settings: [Setting] = [
        Setting(
            key: "GANTRY_DATA_DIR", defaultValue: "./.gantry",
            meaning: "Data directory: SQLite database, generated secrets."),
        Setting(
            key: "GANTRY_DATABASE_URL", defaultValue: "(unset: SQLite in the data directory)",
            meaning: "PostgreSQL URL, e.g. postgres://user:pass@host:5432/gantry."),
        Setting(
            key: "GANTRY_DOCKER_HOST", defaultValue: "unix:///var/run/docker.sock",
            meaning: "Docker Engine of the local node (unix:// or tcp://)."),
        Setting(
            key: "GANTRY_HTTP_ADDR", defaultValue: "0.0.0.0:8080",
            meaning: "Address the API, docs and metrics listen on."),
        Setting(
            key: "GANTRY_JWT_SECRET", defaultValue: "(generated and stored in the database)",
            meaning: "HS256 signing secret for access tokens."),
        Setting(key: "GANTRY_TOKEN_TTL_MINUTES", defaultValue: "60", meaning: "Lifetime of access tokens."),
        Setting(
            key: "GANTRY_ADMIN_PASSWORD", defaultValue: "(generated and printed once)",
            meaning: "Password of the initial `admin` user, used only on an empty database."),
        Setting(key: "GANTRY_DEFAULT_QUOTA_INSTANCES", defaultValue: "5", meaning: "Default instance quota per user."),
        Setting(key: "GANTRY_DEFAULT_QUOTA_CPU", defaultValue: "16", meaning: "Default CPU-core quota per user."),
        Setting(
            key: "GANTRY_DEFAULT_QUOTA_MEMORY_MB", defaultValue: "32768",
            meaning: "Default memory quota per user, in MB."),
        Setting(key: "GANTRY_DEFAULT_QUOTA_GPUS", defaultValue: "0", meaning: "Default GPU quota per user."),
        Setting(key: "GANTRY_PORT_RANGE_START", defaultValue: "8000", meaning: "First host port handed to instances."),
        Setting(
            key: "GANTRY_PORT_RANGE_END", defaultValue: "start + 999 (8999)",
            meaning: "Last host port handed to instances."),
        Setting(key: "GANTRY_NODE_NAME", defaultValue: "local", meaning: "Name the local engine is registered under."),
        Setting(
            key: "GANTRY_NODE_ADDRESS", defaultValue: "(first non-loopback IPv4 address)",
            meaning: "Address used in instance endpoints."),
        Setting(
            key: "GANTRY_PUBLISH_ADDR", defaultValue: "0.0.0.0",
            meaning: "Host address instance ports are published on."),
        Setting(key: "GANTRY_RECONCILE_INTERVAL", defaultValue: "2", meaning: "Seconds between reconciler passes."),
        Setting(
            key: "GANTRY_OPEN_SIGNUP", defaultValue: "false",
            meaning: "Let anyone create an account with POST /api/v1/users."),
        Setting(
            key: "GANTRY_LOG_LEVEL", defaultValue: "info",
            meaning: "trace, debug, info, notice, warning, error or critical."),
        Setting(key: "GANTRY_LOG_FORMAT", defaultValue: "json", meaning: "json (one object per line) or text."),
        Setting(key: "GANTRY_BCRYPT_COST", defaultValue: "12", meaning: "bcrypt cost for password hashes (4–31)."),
        Setting(
            key: "GANTRY_CONTAINER_PIDS_LIMIT", defaultValue: "512", meaning: "pids limit of every instance container."),
        Setting(
            key: "GANTRY_CPU_OVERCOMMIT", defaultValue: "1",
            meaning: "Schedulable CPU per host core (above 1 lets CPU limits add up to more than the host)."),
        Setting(
            key: "GANTRY_CONFIG_FILE", defaultValue: "(unset)",
            meaning: "Optional KEY=value file with any of these keys; the environment wins."),
    ]

    public struct Invalid: Error, CustomStringConvertible {
        public var problems: [String]
        public var description: String {
            "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    /// Reads and validates the configuration; throws `Invalid` listing every problem at once.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws
        -> GantryConfiguration
    {
        var values = environment
        var problems: [String] = []
        if let file = environment["GANTRY_CONFIG_FILE"], !file.isEmpty {
            do {
                let fileValues = try parseFile(at: file)
                values = fileValues.merging(environment) { _, env in env }
            } catch {
                problems.append("GANTRY_CONFIG_FILE: \(error)")
            }
        }
        var reader = Reader(values: values)
        let (httpHost, httpPort) = reader.hostPort("GANTRY_HTTP_ADDR", default: ("0.0.0.0", 8080))
        let portStart = reader.int("GANTRY_PORT_RANGE_START", default: 8000, range: 1...65535)
        let configuration = GantryConfiguration(
            dataDirectory: reader.string("GANTRY_DATA_DIR") ?? "./.gantry",
            databaseURL: reader.string("GANTRY_DATABASE_URL"),
            dockerHost: reader.string("GANTRY_DOCKER_HOST") ?? "unix:///var/run/docker.sock",
            httpHost: httpHost, httpPort: httpPort,
            jwtSecret: reader.string("GANTRY_JWT_SECRET"),
            tokenLifetimeMinutes: reader.int("GANTRY_TOKEN_TTL_MINUTES", default: 60, range: 1...525_600),
            adminPassword: reader.string("GANTRY_ADMIN_PASSWORD"),
            defaultQuota: QuotaLimits(
                instances: reader.int("GANTRY_DEFAULT_QUOTA_INSTANCES", default: 5, range: 0...100_000),
                cpu: reader.double("GANTRY_DEFAULT_QUOTA_CPU", default: 16, range: 0...1_000_000),
                memoryMB: reader.int("GANTRY_DEFAULT_QUOTA_MEMORY_MB", default: 32_768, range: 0...1_000_000_000),
                gpus: reader.int("GANTRY_DEFAULT_QUOTA_GPUS", default: 0, range: 0...100_000)),
            portRange: PortRange(
                lowerBound: portStart,
                upperBound: reader.int("GANTRY_PORT_RANGE_END", default: min(portStart + 999, 65535), range: 1...65535)),
            nodeName: reader.string("GANTRY_NODE_NAME") ?? "local",
            nodeAddress: reader.string("GANTRY_NODE_ADDRESS"),
            publishAddress: reader.string("GANTRY_PUBLISH_ADDR") ?? "0.0.0.0",
            reconcileIntervalSeconds: reader.double("GANTRY_RECONCILE_INTERVAL", default: 2, range: 0.05...3600),
            openSignUp: reader.bool("GANTRY_OPEN_SIGNUP", default: false),
            logLevel: reader.logLevel("GANTRY_LOG_LEVEL", default: .info),
            logFormat: reader.enumeration("GANTRY_LOG_FORMAT", default: LogFormat.json),
            bcryptCost: reader.int("GANTRY_BCRYPT_COST", default: 12, range: 4...31),
            containerPidsLimit: reader.int("GANTRY_CONTAINER_PIDS_LIMIT", default: 512, range: 16...1_000_000),
            cpuOvercommit: reader.double("GANTRY_CPU_OVERCOMMIT", default: 1, range: 1...100))
        problems += reader.problems
        if configuration.portRange.upperBound < configuration.portRange.lowerBound {
            problems.append("GANTRY_PORT_RANGE_END must not be below GANTRY_PORT_RANGE_START")
        }
        if let url = configuration.databaseURL, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            problems.append("GANTRY_DATABASE_URL must be a postgres:// URL (SQLite is the default when it is unset)")
        }
        if let secret = configuration.jwtSecret, secret.utf8.count < 32 {
            problems.append("GANTRY_JWT_SECRET must be at least 32 bytes")
        }
        if let password = configuration.adminPassword, let weakness = Identifiers.passwordWeakness(password) {
            problems.append("GANTRY_ADMIN_PASSWORD: \(weakness)")
        }
        if !configuration.dockerHost.hasPrefix("unix://") && !configuration.dockerHost.hasPrefix("tcp://")
            && !configuration.dockerHost.hasPrefix("http://")
        {
            problems.append("GANTRY_DOCKER_HOST must start with unix://, tcp:// or http://")
        }
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        return configuration
    }

    static func parseFile(at path: String) throws -> [String: String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var values: [String: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw Invalid(problems: ["\(path):\(number + 1): expected KEY=value"])
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            values[key] = value
        }
        return values
    }

    /// Collects problems instead of stopping at the first, so one start reports them all.
    struct Reader {
        let values: [String: String]
        var problems: [String] = []

        func string(_ key: String) -> String? {
            guard let value = values[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }

        mutating func int(_ key: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
            guard let text = string(key) else { return fallback }
            guard let value = Int(text), range.contains(value) else {
                problems.append(
                    "\(key) must be a whole number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
                return fallback
            }
            return value
        }

        mutating func double(_ key: String, default fallback: Double, range: ClosedRange<Double>) -> Double {
            guard let text = string(key) else { return fallback }
            guard let value = Double(text), range.contains(value) else {
                problems.append("\(key) must be a number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
                return fallback
            }
            return value
        }

        mutating func bool(_ key: String, default fallback: Bool) -> Bool {
            guard let text = string(key)?.lowercased() else { return fallback }
            switch text {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default:
                problems.append("\(key) must be true or false, got '\(text)'")
                return fallback
            }
        }

        mutating func logLevel(_ key: String, default fallback: Logger.Level) -> Logger.Level {
            guard let text = string(key) else { return fallback }
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                problems.append(
                    "\(key) must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
                return fallback
            }
            return level
        }

        mutating func enumeration<T: RawRepresentable>(_ key: String, default fallback: T) -> T
        where T.RawValue == String {
            guard let text = string(key) else { return fallback }
            guard let value = T(rawValue: text.lowercased()) else {
                problems.append("\(key): unknown value '\(text)'")
                return fallback
            }
            return value
        }

        mutating func hostPort(_ key: String, default fallback: (String, Int)) -> (String, Int) {
            guard let text = string(key) else { return fallback }
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (0...65535).contains(port)
            else {
                problems.append("\(key) must be HOST:PORT, got '\(text)'")
                return fallback
            }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            return (host.isEmpty ? "0.0.0.0" : host, port)
        }
    }
}
