import Foundation
import GantryPorts
import Logging
import NIOCore
import NIOHTTP1

/// User-defined bridge networks: GPU sessions get one where containers cannot reach each other.
extension DockerEngineClient {
    /// The engine's duplicate check on create is not atomic, so creations in this process are
    /// serialised, and duplicates made by other processes are tolerated (the oldest is used).
    private static let creationLock = NetworkCreationLock()

    public func ensureNetwork(
        _ name: String, isolated: Bool, labels: [String: String]
    ) async throws(ContainerRuntimeError) -> String {
        if let existing = try await networkID(named: name) { return existing }
        await Self.creationLock.acquire()
        do {
            let id = try await createNetwork(name, isolated: isolated, labels: labels)
            await Self.creationLock.release()
            return id
        } catch {
            await Self.creationLock.release()
            throw error
        }
    }

    private func createNetwork(
        _ name: String, isolated: Bool, labels: [String: String]
    ) async throws(ContainerRuntimeError) -> String {
        if let existing = try await networkID(named: name) { return existing }
        let body = try Self.encodeJSON(
            NetworkCreateBody(
                name: name, driver: "bridge", checkDuplicate: true, labels: labels,
                options: isolated ? ["com.docker.network.bridge.enable_icc": "false"] : [:]))
        let answer = try await send(.POST, "/networks/create", json: body)
        switch answer.status {
        case 201, 409:
            logger.info("created network", metadata: ["network": "\(name)", "isolated": "\(isolated)"])
            guard let id = try await networkID(named: name) else {
                throw .engine(status: answer.status, message: "network \(name) vanished after it was created")
            }
            return id
        default:
            throw answer.engineError
        }
    }

    /// The id of the oldest network with exactly this name.
    func networkID(named name: String) async throws(ContainerRuntimeError) -> String? {
        let filter = try Self.encodeJSON(["name": ["^\(name)$"]])
        let answer = try await send(.GET, "/networks", query: [("filters", String(buffer: filter))])
        guard answer.status == 200 else { throw answer.engineError }
        let networks = try answer.decode([NetworkSummaryBody].self).filter { $0.name == name }
        return networks.sorted { ($0.created ?? "", $0.id) < ($1.created ?? "", $1.id) }.first?.id
    }

    public func containerAddress(id: String, network: String) async throws(ContainerRuntimeError) -> String? {
        let answer = try await send(.GET, "/containers/\(Self.pathSegment(id))/json")
        switch answer.status {
        case 200:
            let body = try answer.decode(ContainerNetworksBody.self)
            let address = body.networkSettings.networks[network]?.ipAddress ?? ""
            return address.isEmpty ? nil : address
        case 404: throw .notFound("container \(id)")
        default: throw answer.engineError
        }
    }
}

/// A lock that suspends instead of blocking a thread.
actor NetworkCreationLock {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

struct NetworkSummaryBody: Decodable {
    var id: String
    var name: String
    var created: String?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case created = "Created"
    }
}

struct NetworkCreateBody: Encodable {
    var name: String
    var driver: String
    var checkDuplicate: Bool
    var labels: [String: String]
    var options: [String: String]

    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case driver = "Driver"
        case checkDuplicate = "CheckDuplicate"
        case labels = "Labels"
        case options = "Options"
    }
}

struct ContainerNetworksBody: Decodable {
    var networkSettings: NetworkSettings

    enum CodingKeys: String, CodingKey {
        case networkSettings = "NetworkSettings"
    }

    struct NetworkSettings: Decodable {
        var networks: [String: Endpoint]

        enum CodingKeys: String, CodingKey {
            case networks = "Networks"
        }
    }

    struct Endpoint: Decodable {
        var ipAddress: String?

        enum CodingKeys: String, CodingKey {
            case ipAddress = "IPAddress"
        }
    }
}
