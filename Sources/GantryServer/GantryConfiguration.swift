import Foundation
import GantryCore
import GantryServices
import Logging
import SSHGateway

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
    /// nil when the gateway is off (`GANTRY_SSH_ADDR=off`).
    public var sshHost: String?
    public var sshPort: Int
    /// What sessions show as `ssh_host`; the node address when unset.
    public var sshPublicHost: String?
    public var sshPublicPort: Int?
    public var sshTTLGraceSeconds: Double
    public var sshIdleTimeoutSeconds: Double
    public var nvidiaSMIPath: String
    public var gpuRefreshSeconds: Double
    public var gpuAttach: GPUAttachMode
    public var workspaceRoot: String?
    public var danglingGraceSeconds: Double
    public var sessionImage: String
    public var sessionCPU: Double
    public var sessionMemoryMB: Int
    public var sessionDefaultTTLMinutes: Int
    public var sessionMaxTTLMinutes: Int
    public var sessionNetwork: String
    public var sessionSelfService: Bool
    /// Registries ordinary users may take session images from beyond the catalog.
    public var sessionUserImageRegistries: Set<String>
    public var sessionFirstUID: Int
    public var jobConcurrency: Int
    public var jobMaxRetries: Int
    public var jobBackoffSeconds: Double
    public var jobQueueTTLSeconds: Double
    public var jobMaxQueued: Int
    /// 0 turns the limit off.
    public var jobRateLimitPerMinute: Int
    public var jobLeaseSeconds: Double
    public var jobCheckIntervalSeconds: Double
    public var jobMaxInputBytes: Int
    /// Largest request body on routes without a larger limit of their own.
    public var httpMaxBodyBytes: Int
    /// Largest plugin manifest (API and dashboard), schemas included.
    public var httpMaxManifestBytes: Int
    public var jobDefaultTimeoutSeconds: Double
    /// Visitors are signed in to the dashboard as the demo user (seed 000).
    public var demoMode: Bool
    public var dashboardSessionSeconds: Double
    /// Marks the dashboard's cookies `Secure`; turn on behind HTTPS.
    public var secureCookies: Bool
    /// Linked from the dashboard when set.
    public var rayDashboardURL: String?
    /// SSH connections that have not signed in this long are closed.
    public var sshLoginGraceSeconds: Double = 60
    /// Limits on SSH connections that have not signed in yet (OpenSSH's MaxStartups).
    public var sshStartups = SSHStartupLimits()

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
        Setting(
            key: "GANTRY_DEFAULT_QUOTA_GPUS", defaultValue: "1",
            meaning: "Default GPU quota per user: GPU devices (a MIG slice or a whole GPU) held at once."),
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
            key: "GANTRY_SSH_ADDR", defaultValue: "0.0.0.0:2222",
            meaning: "Address the SSH gateway listens on; `off` disables it."),
        Setting(
            key: "GANTRY_SSH_PUBLIC_HOST", defaultValue: "(the node address)",
            meaning: "Host shown in sessions' `ssh_host` and ssh command (HOST or HOST:PORT)."),
        Setting(
            key: "GANTRY_SSH_TTL_GRACE", defaultValue: "10m",
            meaning: "While a user is connected, their session's expires_at stays at least this far ahead."),
        Setting(
            key: "GANTRY_SSH_IDLE_TIMEOUT", defaultValue: "15m",
            meaning: "SSH connections without traffic for this long are closed (0 disables)."),
        Setting(
            key: "GANTRY_SSH_LOGIN_GRACE", defaultValue: "60s",
            meaning: "SSH connections that have not signed in this long are closed (and their address refused a while)."
        ),
        Setting(
            key: "GANTRY_SSH_MAX_STARTUPS", defaultValue: "100:30:300",
            meaning:
                "start:rate:full for connections not signed in yet: past start, rate % of new ones are dropped, rising to all at full."
        ),
        Setting(
            key: "GANTRY_SSH_PER_SOURCE_MAX_STARTUPS", defaultValue: "10",
            meaning: "Connections not signed in yet that one address may hold."),
        Setting(
            key: "GANTRY_NVIDIA_SMI", defaultValue: "nvidia-smi",
            meaning: "nvidia-smi executable (name on PATH or path); none means no GPUs, not an error."),
        Setting(
            key: "GANTRY_GPU_REFRESH_INTERVAL", defaultValue: "60s", meaning: "How often the GPU inventory is re-read."),
        Setting(
            key: "GANTRY_GPU_ATTACH", defaultValue: "device-request",
            meaning: "device-request (Docker DeviceRequests, as --gpus device=UUID) or env (NVIDIA_VISIBLE_DEVICES)."),
        Setting(
            key: "GANTRY_WORKSPACE_ROOT", defaultValue: "(data directory)/workspaces",
            meaning: "Host directory holding each user's persistent /workspace."),
        Setting(
            key: "GANTRY_DANGLING_GRACE", defaultValue: "1m",
            meaning:
                "A labelled container that no workload owns is removed once it is this old (durations: 90, 90s, 5m)."),
        Setting(
            key: "GANTRY_SESSION_IMAGE", defaultValue: "ubuntu-22.04",
            meaning: "Image of sessions that name none (catalog name or image reference)."),
        Setting(key: "GANTRY_SESSION_CPU", defaultValue: "2", meaning: "CPU cores of sessions that name none."),
        Setting(
            key: "GANTRY_SESSION_MEMORY_MB", defaultValue: "4096", meaning: "Memory (MB) of sessions that name none."),
        Setting(
            key: "GANTRY_SESSION_DEFAULT_TTL", defaultValue: "60", meaning: "Session TTL in minutes when none is given."
        ),
        Setting(
            key: "GANTRY_SESSION_MAX_TTL", defaultValue: "10080", meaning: "Longest session TTL in minutes (7 days)."),
        Setting(
            key: "GANTRY_SESSION_NETWORK", defaultValue: "gantry-sessions",
            meaning: "Docker network of session containers, created with traffic between containers off."),
        Setting(
            key: "GANTRY_SESSION_SELF_SERVICE", defaultValue: "true",
            meaning: "Let users create sessions for themselves (admins always can, for anyone)."),
        Setting(
            key: "GANTRY_SESSION_USER_REGISTRIES", defaultValue: "(none)",
            meaning:
                "Comma-separated registries (docker.io for Docker Hub) ordinary users may name session images from; otherwise catalog images and the default only."
        ),
        Setting(
            key: "GANTRY_SESSION_UID_START", defaultValue: "20000",
            meaning: "First POSIX uid given to session users; containers run as it and own the workspace."),
        Setting(
            key: "GANTRY_JOB_CONCURRENCY", defaultValue: "(CPU count)",
            meaning: "Jobs this server runs at once; 0 runs none (an API-only replica)."),
        Setting(
            key: "GANTRY_JOB_MAX_RETRIES", defaultValue: "3",
            meaning: "Retries after a retryable failure (exit code, container error, timeout, lost worker)."),
        Setting(
            key: "GANTRY_JOB_BACKOFF", defaultValue: "1s",
            meaning: "Delay before the first retry; it doubles for each further retry (1 s, 2 s, 4 s)."),
        Setting(
            key: "GANTRY_JOB_QUEUE_TTL", defaultValue: "1h",
            meaning: "A job due this long without starting fails as expired (dead-lettered)."),
        Setting(
            key: "GANTRY_JOB_MAX_QUEUED", defaultValue: "10000",
            meaning: "Most queued jobs; submissions beyond get 503 queue_full."),
        Setting(
            key: "GANTRY_RATE_LIMIT_JOBS_PER_MINUTE", defaultValue: "10",
            meaning: "Job creations per user per minute (429 with Retry-After beyond); 0 turns it off."),
        Setting(
            key: "GANTRY_JOB_LEASE", defaultValue: "30s",
            meaning:
                "How long a worker's claim on a job lasts without renewal; a crashed worker's jobs run again after it."),
        Setting(
            key: "GANTRY_JOB_CHECK_INTERVAL", defaultValue: "5s",
            meaning: "How often expired leases, expired queued jobs and stray job containers are looked for."),
        Setting(
            key: "GANTRY_JOB_MAX_INPUT_BYTES", defaultValue: "1048576",
            meaning: "Largest job input (1 MB); bigger submissions get 413."),
        Setting(
            key: "GANTRY_HTTP_MAX_BODY_BYTES", defaultValue: "65536",
            meaning:
                "Largest request body (64 KB) on every route without a larger limit; bigger ones get 413 as soon as they pass it."
        ),
        Setting(
            key: "GANTRY_HTTP_MAX_MANIFEST_BYTES", defaultValue: "1048576",
            meaning: "Largest plugin manifest (1 MB), in the API and the dashboard's form."),
        Setting(
            key: "GANTRY_JOB_DEFAULT_TIMEOUT", defaultValue: "10m",
            meaning: "Per-attempt timeout of plugins that declare none."),
        Setting(
            key: "GANTRY_DEMO", defaultValue: "false",
            meaning: "Demo mode: dashboard visitors are signed in as the ordinary user user-demo-001 (seed 000)."),
        Setting(
            key: "GANTRY_DASHBOARD_SESSION_TTL", defaultValue: "12h",
            meaning: "Dashboard sign-ins end after this long without use."),
        Setting(
            key: "GANTRY_SECURE_COOKIES", defaultValue: "false",
            meaning: "Mark the dashboard's cookies Secure (set it when Gantry is served over HTTPS)."),
        Setting(
            key: "GANTRY_RAY_DASHBOARD_URL", defaultValue: "(unset)",
            meaning: "The Ray dashboard's address, linked from the web dashboard when set."),
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
        let sshAddress: (String, Int)? =
            reader.string("GANTRY_SSH_ADDR")?.lowercased() == "off"
            ? nil : reader.hostPort("GANTRY_SSH_ADDR", default: ("0.0.0.0", 2222))
        let sshPublic = reader.string("GANTRY_SSH_PUBLIC_HOST").map { text -> (String, Int?) in
            if let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) {
                return (String(text[..<colon]), port)
            }
            return (text, nil)
        }
        var configuration = GantryConfiguration(
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
                gpus: reader.int("GANTRY_DEFAULT_QUOTA_GPUS", default: 1, range: 0...100_000)),
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
            cpuOvercommit: reader.double("GANTRY_CPU_OVERCOMMIT", default: 1, range: 1...100),
            sshHost: sshAddress?.0, sshPort: sshAddress?.1 ?? 2222,
            sshPublicHost: sshPublic?.0, sshPublicPort: sshPublic?.1,
            sshTTLGraceSeconds: reader.duration("GANTRY_SSH_TTL_GRACE", default: 600, range: 0...86_400),
            sshIdleTimeoutSeconds: reader.duration("GANTRY_SSH_IDLE_TIMEOUT", default: 900, range: 0...604_800),
            nvidiaSMIPath: reader.string("GANTRY_NVIDIA_SMI") ?? "nvidia-smi",
            gpuRefreshSeconds: reader.duration("GANTRY_GPU_REFRESH_INTERVAL", default: 60, range: 0.1...86_400),
            gpuAttach: reader.enumeration("GANTRY_GPU_ATTACH", default: GPUAttachMode.deviceRequest),
            workspaceRoot: reader.string("GANTRY_WORKSPACE_ROOT"),
            danglingGraceSeconds: reader.duration("GANTRY_DANGLING_GRACE", default: 60, range: 0...86_400),
            sessionImage: reader.string("GANTRY_SESSION_IMAGE") ?? "ubuntu-22.04",
            sessionCPU: reader.double("GANTRY_SESSION_CPU", default: 2, range: 0.1...1024),
            sessionMemoryMB: reader.int("GANTRY_SESSION_MEMORY_MB", default: 4096, range: 64...4_194_304),
            sessionDefaultTTLMinutes: reader.int("GANTRY_SESSION_DEFAULT_TTL", default: 60, range: 1...525_600),
            sessionMaxTTLMinutes: reader.int("GANTRY_SESSION_MAX_TTL", default: 10_080, range: 1...525_600),
            sessionNetwork: reader.string("GANTRY_SESSION_NETWORK") ?? "gantry-sessions",
            sessionSelfService: reader.bool("GANTRY_SESSION_SELF_SERVICE", default: true),
            sessionUserImageRegistries: Set(
                (reader.string("GANTRY_SESSION_USER_REGISTRIES") ?? "").split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces).lowercased()
                }.filter { !$0.isEmpty }),
            sessionFirstUID: reader.int("GANTRY_SESSION_UID_START", default: 20_000, range: 1000...2_000_000_000),
            jobConcurrency: reader.int(
                "GANTRY_JOB_CONCURRENCY", default: ProcessInfo.processInfo.activeProcessorCount, range: 0...4096),
            jobMaxRetries: reader.int("GANTRY_JOB_MAX_RETRIES", default: 3, range: 0...100),
            jobBackoffSeconds: reader.duration("GANTRY_JOB_BACKOFF", default: 1, range: 0...86_400),
            jobQueueTTLSeconds: reader.duration("GANTRY_JOB_QUEUE_TTL", default: 3600, range: 1...31_536_000),
            jobMaxQueued: reader.int("GANTRY_JOB_MAX_QUEUED", default: 10_000, range: 1...100_000_000),
            jobRateLimitPerMinute: reader.int("GANTRY_RATE_LIMIT_JOBS_PER_MINUTE", default: 10, range: 0...1_000_000),
            jobLeaseSeconds: reader.duration("GANTRY_JOB_LEASE", default: 30, range: 1...86_400),
            jobCheckIntervalSeconds: reader.duration("GANTRY_JOB_CHECK_INTERVAL", default: 5, range: 0.05...3600),
            jobMaxInputBytes: reader.int("GANTRY_JOB_MAX_INPUT_BYTES", default: 1_048_576, range: 1024...1_073_741_824),
            httpMaxBodyBytes: reader.int("GANTRY_HTTP_MAX_BODY_BYTES", default: 65_536, range: 4096...1_073_741_824),
            httpMaxManifestBytes: reader.int(
                "GANTRY_HTTP_MAX_MANIFEST_BYTES", default: 1_048_576, range: 4096...1_073_741_824),
            jobDefaultTimeoutSeconds: reader.duration("GANTRY_JOB_DEFAULT_TIMEOUT", default: 600, range: 1...86_400),
            demoMode: reader.bool("GANTRY_DEMO", default: false),
            dashboardSessionSeconds: reader.duration(
                "GANTRY_DASHBOARD_SESSION_TTL", default: 43_200, range: 60...31_536_000),
            secureCookies: reader.bool("GANTRY_SECURE_COOKIES", default: false),
            rayDashboardURL: reader.string("GANTRY_RAY_DASHBOARD_URL"))
        configuration.sshLoginGraceSeconds = reader.duration("GANTRY_SSH_LOGIN_GRACE", default: 60, range: 1...3600)
        if let (start, rate, full) = reader.maxStartups("GANTRY_SSH_MAX_STARTUPS") {
            configuration.sshStartups.start = start
            configuration.sshStartups.rate = rate
            configuration.sshStartups.full = full
        }
        configuration.sshStartups.perSource = reader.int(
            "GANTRY_SSH_PER_SOURCE_MAX_STARTUPS", default: 10, range: 1...100_000)
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
        if configuration.sessionDefaultTTLMinutes > configuration.sessionMaxTTLMinutes {
            problems.append("GANTRY_SESSION_DEFAULT_TTL must not exceed GANTRY_SESSION_MAX_TTL")
        }
        if let password = configuration.adminPassword, let weakness = Identifiers.passwordWeakness(password) {
            problems.append("GANTRY_ADMIN_PASSWORD: \(weakness)")
        }
        if !configuration.dockerHost.hasPrefix("unix://") && !configuration.dockerHost.hasPrefix("tcp://")
            && !configuration.dockerHost.hasPrefix("http://")
        {
            problems.append("GANTRY_DOCKER_HOST must start with unix://, tcp:// or http://")
        }
        if let ray = configuration.rayDashboardURL, !(ray.hasPrefix("http://") || ray.hasPrefix("https://")) {
            problems.append("GANTRY_RAY_DASHBOARD_URL must be an http:// or https:// address")
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

        /// OpenSSH's `MaxStartups` form: `start:rate:full`, or one number for `full` with no early drops.
        mutating func maxStartups(_ key: String) -> (start: Int, rate: Int, full: Int)? {
            guard let text = string(key) else { return nil }
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            switch parts.count {
            case 1:
                if let full = parts[0], full >= 1 { return (full, 100, full) }
            case 3:
                if let start = parts[0], let rate = parts[1], let full = parts[2], start >= 1, full >= start,
                    (0...100).contains(rate)
                {
                    return (start, rate, full)
                }
            default:
                break
            }
            problems.append(
                "\(key) must be start:rate:full (e.g. 100:30:300, rate a percentage, full at least start) "
                    + "or one number, got '\(text)'")
            return nil
        }

        /// `90`, `90s`, `5m`, `1h` or `250ms`, in seconds.
        mutating func duration(_ key: String, default fallback: Double, range: ClosedRange<Double>) -> Double {
            guard let text = string(key)?.lowercased() else { return fallback }
            let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
            var seconds: Double?
            for (suffix, scale) in units where text.hasSuffix(suffix) {
                if let number = Double(text.dropLast(suffix.count)) { seconds = number * scale }
                break
            }
            if seconds == nil { seconds = Double(text) }
            guard let value = seconds, range.contains(value) else {
                problems.append(
                    "\(key) must be a duration such as 90s, 5m or 1h between \(range.lowerBound) and \(range.upperBound) seconds, got '\(text)'"
                )
                return fallback
            }
            return value
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
