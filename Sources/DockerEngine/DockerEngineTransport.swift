import AsyncHTTPClient
import Foundation
import GantryPorts
import Logging
import NIOCore
import NIOHTTP1

/// One answer of the engine with its body read in full.
struct EngineAnswer {
    var status: Int
    var body: ByteBuffer

    /// The engine's `{"message": ...}`, or the body as text when it is not that shape.
    var message: String {
        let data = Data(body.readableBytesView)
        if let decoded = try? JSONDecoder().decode(EngineErrorBody.self, from: data) {
            return decoded.message
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? HTTPResponseStatus(statusCode: status).reasonPhrase : text
    }

    var engineError: ContainerRuntimeError { .engine(status: status, message: message) }

    func decode<T: Decodable>(_ type: T.Type) throws(ContainerRuntimeError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body.readableBytesView))
        } catch {
            throw .engine(status: status, message: "unexpected answer from the engine: \(error)")
        }
    }
}

extension DockerEngineClient {
    /// Bodies larger than this are refused; container lists and log tails stay far below it.
    static let maxBodyBytes = 32 * 1024 * 1024

    /// Sends one request and reads the whole answer within `timeout` (the standard request timeout if nil).
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json body: ByteBuffer? = nil,
        versioned: Bool = true, timeout: TimeAmount? = nil
    ) async throws(ContainerRuntimeError) -> EngineAnswer {
        let timeout = timeout ?? timeouts.request
        let response = try await open(
            method, path, query: query, json: body, versioned: versioned, timeout: timeout
        )
        do {
            let bytes = try await response.body.collect(upTo: Self.maxBodyBytes)
            return EngineAnswer(status: Int(response.status.code), body: bytes)
        } catch let error as NIOTooManyBytesError {
            throw .engine(
                status: Int(response.status.code),
                message: "answer larger than \(Self.maxBodyBytes) bytes: \(error)"
            )
        } catch {
            throw transportFailure(error, method: method, path: path, timeout: timeout)
        }
    }

    /// Sends one request and returns as soon as the answer's head is in; the caller streams the body,
    /// which must arrive before `timeout` runs out too.
    func open(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json body: ByteBuffer? = nil,
        versioned: Bool = true, timeout: TimeAmount
    ) async throws(ContainerRuntimeError) -> HTTPClientResponse {
        if case .unixSocket(let socketPath) = host, !FileManager.default.fileExists(atPath: socketPath) {
            // Fails at once instead of retrying the connection until the deadline.
            throw .unreachable("\(host): no socket at \(socketPath)")
        }
        let prefix = versioned ? "/v\(try await apiVersion())" : ""
        let pathAndQuery = prefix + path + Self.queryString(query)
        guard let url = host.url(for: pathAndQuery) else {
            throw .unreachable("\(host): cannot build a URL for \(pathAndQuery)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        if case .unixSocket = host {
            // Go's HTTP server rejects HTTP/1.1 requests without a Host, and a unix socket URL has no host.
            request.headers.add(name: "Host", value: "docker")
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        logger.trace("docker engine request", metadata: ["method": "\(method)", "path": "\(pathAndQuery)"])
        do {
            return try await httpClient.execute(request, timeout: timeout, logger: logger)
        } catch {
            throw transportFailure(error, method: method, path: path, timeout: timeout)
        }
    }

    /// The `/vX.Y` version to put in front of paths, asking the engine the first time.
    func apiVersion() async throws(ContainerRuntimeError) -> DockerAPIVersion {
        if let known = versionCache.value { return known }
        let answer = try await send(.GET, "/version", versioned: false)
        guard answer.status == 200 else { throw answer.engineError }
        let body = try answer.decode(EngineVersionBody.self)
        let version = DockerAPIVersion.negotiate(
            engineMaximum: DockerAPIVersion(body.apiVersion),
            engineMinimum: body.minAPIVersion.flatMap(DockerAPIVersion.init)
        )
        logger.debug(
            "docker engine API version chosen",
            metadata: ["host": "\(host)", "engine": "\(body.apiVersion)", "chosen": "\(version)"]
        )
        versionCache.store(version)
        return version
    }

    /// An HTTP-level failure (no connection, connection lost, no answer in time) as the runtime error for it.
    func transportFailure(
        _ error: any Error, method: HTTPMethod, path: String, timeout: TimeAmount
    ) -> ContainerRuntimeError {
        let failure: ContainerRuntimeError
        if let httpError = error as? HTTPClientError, Self.timeoutErrors.contains(httpError) {
            let seconds = Double(timeout.nanoseconds) / 1e9
            failure = .unreachable("\(host) gave no answer to \(method) \(path) within \(seconds) s")
        } else if error is CancellationError || (error as? HTTPClientError) == .cancelled {
            failure = .unreachable("\(method) \(path) to \(host) was cancelled")
        } else {
            failure = .unreachable("\(host): \(error)")
        }
        logger.debug("docker engine request failed", metadata: ["error": "\(failure)"])
        return failure
    }

    private static let timeoutErrors: [HTTPClientError] = [
        .deadlineExceeded, .readTimeout, .connectTimeout, .getConnectionFromPoolTimeout,
    ]

    static func encodeJSON(_ value: some Encodable) throws(ContainerRuntimeError) -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try JSONEncoder().encode(value))
        } catch {
            throw .engine(status: 0, message: "cannot encode the request: \(error)")
        }
    }

    /// `?a=b&c=d` with every value fully percent-encoded (the label filter is JSON).
    static func queryString(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { "\(percentEncoded($0.0))=\(percentEncoded($0.1))" }.joined(separator: "&")
    }

    /// RFC 3986 unreserved characters stay; everything else, `/` included, is escaped.
    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// A container id or name as one path segment.
    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: pathSegmentAllowed) ?? text
    }

    /// An image reference in a path: its slashes stay, because the engine's image routes take the
    /// whole name (`/images/localhost:5000/team/app:1/json`).
    static func imagePath(_ reference: String) -> String {
        reference.split(separator: "/", omittingEmptySubsequences: false)
            .map { pathSegment(String($0)) }
            .joined(separator: "/")
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )
    /// Tags and digests keep their `:` and `@`, which are legal inside a path segment.
    private static let pathSegmentAllowed = unreserved.union(CharacterSet(charactersIn: ":@"))
}
