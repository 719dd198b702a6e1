import AsyncHTTPClient
import Foundation
import GantryCore
import GantryPorts
import Logging
import NIOCore
import NIOHTTP1

/// `ContainerRuntime` for one Docker Engine, spoken to over its HTTP API (unix socket or plain TCP).
///
/// Every call is bounded by a timeout. With the shared `HTTPClient`'s default configuration a daemon that
/// is down behind an existing socket file is retried until that timeout; a client configured with
/// `connectionPool.retryConnectionEstablishment = false` reports it as `.unreachable` at once.
public struct DockerEngineClient: ContainerRuntime {
    public struct Timeouts: Sendable, Equatable {
        /// Any single call other than a pull (a stop adds its grace period to this).
        public var request: TimeAmount
        /// A whole image pull, until the engine's progress stream ends.
        public var pull: TimeAmount

        public init(request: TimeAmount = .seconds(30), pull: TimeAmount = .minutes(15)) {
            self.request = request
            self.pull = pull
        }
    }

    public let host: DockerEngineHost
    let httpClient: HTTPClient
    let logger: Logger
    let timeouts: Timeouts
    let versionCache = DockerAPIVersionCache()

    /// The engine execs into containers and attaches to them (the hijacked-stream endpoints).
    public var capabilities: ContainerRuntimeCapabilities { ContainerRuntimeCapabilities(exec: self, attach: self) }

    /// `host` is a `DOCKER_HOST`-style string: `unix:///var/run/docker.sock`, `tcp://host:port` or
    /// `http://host:port`.
    public init(
        host: String, httpClient: HTTPClient, logger: Logger, timeouts: Timeouts = Timeouts()
    ) throws(DockerEngineHostError) {
        self.init(host: try DockerEngineHost.parse(host), httpClient: httpClient, logger: logger, timeouts: timeouts)
    }

    public init(host: DockerEngineHost, httpClient: HTTPClient, logger: Logger, timeouts: Timeouts = Timeouts()) {
        self.host = host
        self.httpClient = httpClient
        self.logger = logger
        self.timeouts = timeouts
    }

    public func ping() async throws(ContainerRuntimeError) {
        let answer = try await send(.GET, "/_ping", versioned: false)
        guard answer.status == 200 else { throw answer.engineError }
    }

    public func info() async throws(ContainerRuntimeError) -> EngineInfo {
        let answer = try await send(.GET, "/info")
        guard answer.status == 200 else { throw answer.engineError }
        let body = try answer.decode(EngineInfoBody.self)
        return EngineInfo(
            hostname: body.name, cpus: body.ncpu, memoryBytes: body.memTotal,
            serverVersion: body.serverVersion, operatingSystem: body.operatingSystem
        )
    }

    public func imageExists(_ reference: String) async throws(ContainerRuntimeError) -> Bool {
        let answer = try await send(.GET, "/images/\(Self.imagePath(reference))/json")
        switch answer.status {
        case 200: return true
        case 404: return false
        default: throw answer.engineError
        }
    }

    public func pullImage(_ reference: String) async throws(ContainerRuntimeError) {
        let image = ImageReference(parsing: reference)
        let query = [("fromImage", image.repository), ("tag", image.apiTag)]
        let timeout = timeouts.pull
        let response = try await open(.POST, "/images/create", query: query, timeout: timeout)
        guard response.status == .ok else {
            // The engine answers an unreachable registry or unknown repository before streaming anything.
            let body = try? await response.body.collect(upTo: Self.maxBodyBytes)
            let answer = EngineAnswer(status: Int(response.status.code), body: body ?? ByteBuffer())
            throw .imagePullFailed(reference: reference, detail: answer.message)
        }
        // A pull that fails midway still answers 200; the failure is an `error` line in the stream.
        var lines = PullProgressReader()
        do {
            for try await chunk in response.body {
                lines.append(chunk)
                while let line = lines.nextLine() {
                    if let failure = Self.pullFailure(in: line) {
                        throw ContainerRuntimeError.imagePullFailed(reference: reference, detail: failure)
                    }
                }
            }
        } catch let error as ContainerRuntimeError {
            throw error
        } catch {
            throw transportFailure(error, method: .POST, path: "/images/create", timeout: timeout)
        }
        if let line = lines.finish(), let failure = Self.pullFailure(in: line) {
            throw .imagePullFailed(reference: reference, detail: failure)
        }
        logger.info("pulled image", metadata: ["image": "\(reference)", "host": "\(host)"])
    }

    public func createContainer(_ spec: ContainerSpec) async throws(ContainerRuntimeError) -> String {
        let body = try Self.encodeJSON(Self.createBody(for: spec))
        let answer = try await send(.POST, "/containers/create", query: [("name", spec.name)], json: body)
        switch answer.status {
        case 201:
            let created = try answer.decode(CreateContainerAnswer.self)
            for warning in created.warnings ?? [] where !warning.isEmpty {
                logger.warning(
                    "engine warning on create", metadata: ["container": "\(spec.name)", "warning": "\(warning)"]
                )
            }
            return created.id
        case 404:
            throw .notFound("image \(spec.image)")
        default:
            // 409 (name taken) included: the services decide what a conflict means.
            throw answer.engineError
        }
    }

    public func startContainer(id: String) async throws(ContainerRuntimeError) {
        let answer = try await send(.POST, "/containers/\(Self.pathSegment(id))/start")
        switch answer.status {
        case 204, 304:
            return
        case 404:
            throw .notFound("container \(id)")
        default:
            let message = answer.message
            if Self.isPortConflict(message) { throw .portInUse(message) }
            throw .engine(status: answer.status, message: message)
        }
    }

    public func stopContainer(id: String, timeoutSeconds: Int) async throws(ContainerRuntimeError) {
        let grace = max(0, timeoutSeconds)
        // The engine waits out the grace period before it kills and answers.
        let answer = try await send(
            .POST, "/containers/\(Self.pathSegment(id))/stop", query: [("t", String(grace))],
            timeout: timeouts.request + .seconds(Int64(grace))
        )
        switch answer.status {
        case 204, 304: return
        case 404: throw .notFound("container \(id)")
        default: throw answer.engineError
        }
    }

    public func removeContainer(id: String) async throws(ContainerRuntimeError) {
        let answer = try await send(
            .DELETE, "/containers/\(Self.pathSegment(id))", query: [("force", "true"), ("v", "true")]
        )
        switch answer.status {
        case 204, 404:
            return
        case 409 where answer.message.contains("already in progress"):
            // Another caller is removing it; it will be gone.
            return
        default:
            throw answer.engineError
        }
    }

    public func inspectContainer(id: String) async throws(ContainerRuntimeError) -> ContainerObservation? {
        let answer = try await send(.GET, "/containers/\(Self.pathSegment(id))/json")
        switch answer.status {
        case 200: return Self.observation(from: try answer.decode(ContainerInspectBody.self))
        case 404: return nil
        default: throw answer.engineError
        }
    }

    public func listContainers(
        labels: [String: String]
    ) async throws(ContainerRuntimeError) -> [ContainerObservation] {
        var query = [("all", "true")]
        if !labels.isEmpty {
            // Sorted so the same filter always makes the same URL (easier to read in engine logs).
            let filter = ["label": labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }]
            let json = try Self.encodeJSON(filter)
            query.append(("filters", String(buffer: json)))
        }
        let answer = try await send(.GET, "/containers/json", query: query)
        guard answer.status == 200 else { throw answer.engineError }
        return try answer.decode([ContainerSummaryBody].self).map(Self.observation(from:))
    }

    public func logs(id: String, tail: Int) async throws(ContainerRuntimeError) -> String {
        let query = [("stdout", "1"), ("stderr", "1"), ("tail", tail < 0 ? "all" : String(tail))]
        let answer = try await send(.GET, "/containers/\(Self.pathSegment(id))/logs", query: query)
        switch answer.status {
        case 200: return DockerLogDemultiplexer.text(from: Array(answer.body.readableBytesView))
        case 404: throw .notFound("container \(id)")
        default: throw answer.engineError
        }
    }
}
