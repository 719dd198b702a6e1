import Foundation
import GantryServices
import Logging
import NIOHTTP1

/// User-defined bridge networks: GPU sessions get one where containers cannot reach each other.
extension DockerEngineClient {
    public func ensureNetwork(
        _ name: String, isolated: Bool, labels: [String: String]
    ) async throws(ContainerRuntimeError) {
        let existing = try await send(.GET, "/networks/\(Self.pathSegment(name))")
        if existing.status == 200 { return }
        guard existing.status == 404 else { throw existing.engineError }
        let body = try Self.encodeJSON(
            NetworkCreateBody(
                name: name, driver: "bridge", checkDuplicate: true, labels: labels,
                options: isolated ? ["com.docker.network.bridge.enable_icc": "false"] : [:]))
        let answer = try await send(.POST, "/networks/create", json: body)
        switch answer.status {
        case 201:
            logger.info("created network", metadata: ["network": "\(name)", "isolated": "\(isolated)"])
        case 409:
            // Created meanwhile by another caller.
            return
        default:
            throw answer.engineError
        }
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
