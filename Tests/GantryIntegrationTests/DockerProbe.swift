import AsyncHTTPClient
import Foundation
import GantryTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Raw Engine API calls for tests that check what Gantry did, independently of Gantry's client.
enum DockerProbe {
    static func call(_ method: HTTPMethod, _ path: String, json: Any? = nil) async throws -> (Int, Any?) {
        let socket = TestEnvironment.dockerHost.replacingOccurrences(of: "unix://", with: "")
        guard let url = URL(httpURLWithSocketPath: socket, uri: "/v1.41" + path) else {
            throw TestFailure("bad docker socket \(socket)")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        // The engine refuses HTTP/1.1 requests without a Host header.
        request.headers.add(name: "Host", value: "docker")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        let parsed = body.readableBytes > 0 ? try? JSONSerialization.jsonObject(with: Data(buffer: body)) : nil
        return (Int(response.status.code), parsed)
    }

    struct Container {
        let labels: [String: String]
        let capDrop: [String]
        let securityOptions: [String]
        let nanoCPUs: Int
        let memoryBytes: Int
        let pidsLimit: Int?
        let running: Bool
    }

    static func inspect(_ id: String) async throws -> Container? {
        let (status, body) = try await call(.GET, "/containers/\(id)/json")
        guard status == 200, let json = body as? [String: Any] else { return nil }
        let config = json["Config"] as? [String: Any] ?? [:]
        let host = json["HostConfig"] as? [String: Any] ?? [:]
        let state = json["State"] as? [String: Any] ?? [:]
        return Container(
            labels: config["Labels"] as? [String: String] ?? [:], capDrop: host["CapDrop"] as? [String] ?? [],
            securityOptions: host["SecurityOpt"] as? [String] ?? [], nanoCPUs: host["NanoCpus"] as? Int ?? 0,
            memoryBytes: host["Memory"] as? Int ?? 0, pidsLimit: host["PidsLimit"] as? Int,
            running: state["Running"] as? Bool ?? false)
    }

    /// Runs a command in the container, detached, and waits for it to finish.
    static func exec(_ id: String, _ command: [String]) async throws {
        let (status, body) = try await call(.POST, "/containers/\(id)/exec", json: ["Cmd": command])
        guard status == 201, let execID = (body as? [String: Any])?["Id"] as? String else {
            throw TestFailure("exec create failed: \(status) \(String(describing: body))")
        }
        _ = try await call(.POST, "/exec/\(execID)/start", json: ["Detach": true])
        _ = try await eventually(timeout: .seconds(10)) {
            let (_, info) = try await call(.GET, "/exec/\(execID)/json")
            return (info as? [String: Any])?["Running"] as? Bool == false
        }
    }

    static func kill(_ id: String) async throws { _ = try await call(.POST, "/containers/\(id)/kill") }
    static func remove(_ id: String) async throws { _ = try await call(.DELETE, "/containers/\(id)?force=true") }

    /// Creates a container that carries an installation's labels but belongs to no workload.
    static func createOrphan(installation: String, kind: String = "instance") async throws -> String {
        let (status, body) = try await call(
            .POST, "/containers/create?name=\(TestEnvironment.uniqueName("gantry-orphan"))",
            json: [
                "Image": TestEnvironment.httpImage,
                "Labels": [
                    "gantry.kind": kind, "gantry.id": UUID().uuidString, "gantry.owner": UUID().uuidString,
                    "gantry.installation": installation,
                ],
            ])
        guard status == 201, let id = (body as? [String: Any])?["Id"] as? String else {
            throw TestFailure("create orphan failed: \(status) \(String(describing: body))")
        }
        _ = try await call(.POST, "/containers/\(id)/start")
        return id
    }
}
