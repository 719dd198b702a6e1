/// Why an attempt failed, and whether trying again could help.
public struct JobFailure: Sendable, Equatable, Error, CustomStringConvertible {
    public enum Reason: String, Sendable, Equatable {
        /// The plugin exited non-zero.
        case pluginError = "plugin_error"
        /// The attempt ran past the plugin's timeout.
        case timeout
        /// The engine could not create or run the container.
        case containerError = "container_error"
        /// The result was missing, not JSON, or broke the output schema.
        case invalidOutput = "invalid_output"
        /// The job waited in the queue longer than the queue TTL.
        case expired
        case cancelled
        /// The plugin (version) was removed before the job ran.
        case pluginMissing = "plugin_missing"
        /// The worker holding the job stopped renewing its lease (a crash).
        case workerLost = "worker_lost"

        /// Retrying a deterministic failure would only fail again; a crash, an exit code, a
        /// timeout or an engine hiccup may not.
        public var isRetryable: Bool {
            switch self {
            case .pluginError, .timeout, .containerError, .workerLost: true
            case .invalidOutput, .expired, .cancelled, .pluginMissing: false
            }
        }
    }

    public var reason: Reason
    public var message: String
    public var exitCode: Int?

    public init(_ reason: Reason, _ message: String, exitCode: Int? = nil) {
        self.reason = reason
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { "\(reason.rawValue): \(message)" }
}
