import Foundation
import GantryCore
import Testing

/// The template is stored as JSON in a database column: it must come back exactly, and a
/// damaged document must fail rather than turn into defaults.
@Suite struct ContainerTemplateCodingTests {
    typealias F = WorkloadFixtures

    static let templates: [ContainerTemplate] = [
        F.instance().template,
        F.session(gpuAttach: .env).template,
        .forJobAttempt(
            job: F.job(), attempt: 2, plugin: F.plugin(inputMode: .argv, gpus: 1), containerUser: "65534:65534",
            pidsLimit: 256, tmpfsSizeMB: 64, nameSuffix: "9f3c"),
    ]

    static let requiredKeys = [
        "container_name", "image_reference", "environment", "mounts", "container_port", "host_bind_ip",
        "isolated_network", "runs_init", "opens_stdin", "read_only_root_filesystem", "tmpfs", "capabilities",
        "pids_limit", "gpu_attach", "gpu_count", "labels",
    ]

    static let optionalKeys = ["command", "network", "user", "working_directory", "hostname"]

    static func object(_ template: ContainerTemplate) throws -> [String: Any] {
        let data = try JSONEncoder().encode(template)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func decode(_ object: [String: Any]) throws -> ContainerTemplate {
        try JSONDecoder().decode(ContainerTemplate.self, from: JSONSerialization.data(withJSONObject: object))
    }

    @Test(arguments: templates)
    func roundTrips(template: ContainerTemplate) throws {
        let data = try JSONEncoder().encode(template)
        #expect(try JSONDecoder().decode(ContainerTemplate.self, from: data) == template)
    }

    @Test func keysAreSnakeCase() throws {
        var full = F.session().template
        full.command = ["sh"]
        full.network = "n"
        full.user = "1:1"
        full.workingDirectory = "/w"
        full.hostname = "h"
        let keys = Set(try Self.object(full).keys)
        #expect(keys == Set(Self.requiredKeys + Self.optionalKeys))
        #expect(try Self.object(full)["gpu_attach"] as? String == "device-request")
    }

    @Test(arguments: requiredKeys)
    func aMissingRequiredKeyFails(key: String) throws {
        var object = try Self.object(F.session().template)
        object.removeValue(forKey: key)
        #expect(throws: DecodingError.self) { try Self.decode(object) }
    }

    @Test func optionalKeysMayBeAbsent() throws {
        var object = try Self.object(F.session().template)
        for key in Self.optionalKeys { object.removeValue(forKey: key) }
        let decoded = try Self.decode(object)
        #expect(decoded.command == nil && decoded.network == nil && decoded.user == nil)
        #expect(decoded.workingDirectory == nil && decoded.hostname == nil)
        #expect(decoded.containerName == "gantry-session-alice-train-a1b2c3d4")
    }

    @Test func aWrongTypeFails() throws {
        var object = try Self.object(F.instance().template)
        object["pids_limit"] = "512"
        #expect(throws: DecodingError.self) { try Self.decode(object) }
        object = try Self.object(F.instance().template)
        object["runs_init"] = "yes"
        #expect(throws: DecodingError.self) { try Self.decode(object) }
        object = try Self.object(F.instance().template)
        object["labels"] = ["a": 1]
        #expect(throws: DecodingError.self) { try Self.decode(object) }
    }

    @Test func anUnknownGPUAttachModeFails() throws {
        var object = try Self.object(F.instance().template)
        object["gpu_attach"] = "magic"
        #expect(throws: DecodingError.self) { try Self.decode(object) }
    }
}
