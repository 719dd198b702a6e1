// Request and response bodies of the Docker Engine API (v1.41 shapes), limited to the fields Gantry uses.
// Swift names map to the engine's PascalCase keys through explicit CodingKeys, because a key strategy
// would also rewrite label keys inside dictionaries.

/// `{"message": ...}`, the body of every engine error.
struct EngineErrorBody: Decodable {
    var message: String
}

/// `GET /version`
struct EngineVersionBody: Decodable {
    var apiVersion: String
    var minAPIVersion: String?

    enum CodingKeys: String, CodingKey {
        case apiVersion = "ApiVersion"
        case minAPIVersion = "MinAPIVersion"
    }
}

/// `GET /info`
struct EngineInfoBody: Decodable {
    var ncpu: Int
    var memTotal: Int64
    var name: String
    var serverVersion: String
    var operatingSystem: String

    enum CodingKeys: String, CodingKey {
        case ncpu = "NCPU"
        case memTotal = "MemTotal"
        case name = "Name"
        case serverVersion = "ServerVersion"
        case operatingSystem = "OperatingSystem"
    }
}

/// Encodes as `{}`, the value the engine expects in `ExposedPorts`.
struct EmptyObject: Codable, Equatable {}

/// `POST /containers/create`
struct CreateContainerBody: Encodable, Equatable {
    var image: String
    var cmd: [String]?
    var env: [String]
    var labels: [String: String]
    var exposedPorts: [String: EmptyObject]
    var hostConfig: HostConfig
    var user: String? = nil
    var workingDir: String? = nil
    var hostname: String? = nil
    /// The stdin and output flags of `docker run -i` (all `true`), or left out.
    var openStdin: Bool? = nil
    var stdinOnce: Bool? = nil
    var attachStdin: Bool? = nil
    var attachStdout: Bool? = nil
    var attachStderr: Bool? = nil

    enum CodingKeys: String, CodingKey {
        case image = "Image"
        case cmd = "Cmd"
        case env = "Env"
        case labels = "Labels"
        case exposedPorts = "ExposedPorts"
        case hostConfig = "HostConfig"
        case user = "User"
        case workingDir = "WorkingDir"
        case hostname = "Hostname"
        case openStdin = "OpenStdin"
        case stdinOnce = "StdinOnce"
        case attachStdin = "AttachStdin"
        case attachStdout = "AttachStdout"
        case attachStderr = "AttachStderr"
    }

    struct HostConfig: Encodable, Equatable {
        var nanoCpus: Int64
        var memory: Int64
        var pidsLimit: Int64
        var capDrop: [String]
        var capAdd: [String]
        var securityOpt: [String]
        var portBindings: [String: [PortBinding]]
        var restartPolicy: RestartPolicy
        var binds: [String]? = nil
        var networkMode: String? = nil
        var deviceRequests: [DeviceRequest]? = nil
        var initProcess: Bool? = nil
        var readonlyRootfs: Bool? = nil
        /// Mount point → options.
        var tmpfs: [String: String]? = nil

        enum CodingKeys: String, CodingKey {
            case nanoCpus = "NanoCpus"
            case memory = "Memory"
            case pidsLimit = "PidsLimit"
            case capDrop = "CapDrop"
            case capAdd = "CapAdd"
            case securityOpt = "SecurityOpt"
            case portBindings = "PortBindings"
            case restartPolicy = "RestartPolicy"
            case binds = "Binds"
            case networkMode = "NetworkMode"
            case deviceRequests = "DeviceRequests"
            case initProcess = "Init"
            case readonlyRootfs = "ReadonlyRootfs"
            case tmpfs = "Tmpfs"
        }
    }

    /// What `docker run --gpus device=UUID` sends.
    struct DeviceRequest: Encodable, Equatable {
        var driver: String
        var deviceIDs: [String]? = nil
        /// Any `count` devices (`--gpus N`) instead of named ones.
        var count: Int? = nil
        var capabilities: [[String]]

        enum CodingKeys: String, CodingKey {
            case driver = "Driver"
            case deviceIDs = "DeviceIDs"
            case count = "Count"
            case capabilities = "Capabilities"
        }
    }

    struct PortBinding: Encodable, Equatable {
        var hostIP: String
        var hostPort: String

        enum CodingKeys: String, CodingKey {
            case hostIP = "HostIp"
            case hostPort = "HostPort"
        }
    }

    struct RestartPolicy: Encodable, Equatable {
        var name: String

        enum CodingKeys: String, CodingKey {
            case name = "Name"
        }
    }
}

/// The answer to `POST /containers/create`.
struct CreateContainerAnswer: Decodable {
    var id: String
    var warnings: [String]?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case warnings = "Warnings"
    }
}

/// `GET /containers/{id}/json`
struct ContainerInspectBody: Decodable {
    var id: String
    var name: String
    var state: State
    var config: Config?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case state = "State"
        case config = "Config"
    }

    struct State: Decodable {
        var status: String
        var exitCode: Int?
        var error: String?
        var oomKilled: Bool?

        enum CodingKeys: String, CodingKey {
            case status = "Status"
            case exitCode = "ExitCode"
            case error = "Error"
            case oomKilled = "OOMKilled"
        }
    }

    struct Config: Decodable {
        var labels: [String: String]?

        enum CodingKeys: String, CodingKey {
            case labels = "Labels"
        }
    }
}

/// One entry of `GET /containers/json`.
struct ContainerSummaryBody: Decodable {
    var id: String
    var names: [String]?
    var labels: [String: String]?
    var state: String?
    /// Human text such as `Exited (137) 5 seconds ago`; the only place the list carries an exit code.
    var status: String?
    /// Seconds since 1970.
    var created: Int64?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case names = "Names"
        case labels = "Labels"
        case state = "State"
        case status = "Status"
        case created = "Created"
    }
}

/// One JSON line of the `POST /images/create` progress stream.
struct PullProgressLine: Decodable {
    var status: String?
    var error: String?
    var errorDetail: ErrorDetail?

    struct ErrorDetail: Decodable {
        var message: String?
    }

    /// The failure this line reports, if it reports one.
    var failure: String? {
        if let message = errorDetail?.message, !message.isEmpty { return message }
        if let error, !error.isEmpty { return error }
        return nil
    }
}
