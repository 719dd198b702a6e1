import Foundation
import GantryOpenAPI
import OpenAPIRuntime
import Testing

@testable import GantryCLI

@Suite struct PluginManifestFileTests {
    /// Seed 003's classifier, abridged.
    static let classifier = """
        {
          "name": "classifier",
          "version": "1.0.0",
          "description": "Binary classifier",
          "docker_image_url": "gantry/classifier:1.0.0",
          "input_schema": {
            "type": "object",
            "properties": {"features": {"type": "array", "items": {"type": "number"}, "minItems": 1}},
            "required": ["features"]
          },
          "output_schema": {"type": "object", "required": ["prediction", "confidence"]},
          "resources": {"cpu": 0.5, "memory_mb": 128, "gpus": 0},
          "timeout_seconds": 60,
          "input_mode": "stdin"
        }
        """

    private func manifest(_ json: String, label: String = "plugin.json") throws -> PluginManifest {
        try PluginManifestFile.load(.text(json, label: label))
    }

    /// The message of the `CLIError.invalidInput` that `body` throws, or nil.
    private func invalidInput(_ body: () throws -> some Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch CLIError.invalidInput(let message) {
            return message
        } catch {
            return "unexpected error: \(error)"
        }
    }

    @Test func seedManifestBecomesTheRequest() throws {
        let manifest = try manifest(Self.classifier)
        #expect(manifest.name == "classifier")
        #expect(manifest.unknownFields.isEmpty)
        let plugin = manifest.plugin
        #expect(plugin.name == "classifier")
        #expect(plugin.version == "1.0.0")
        #expect(plugin.description == "Binary classifier")
        #expect(plugin.dockerImageUrl == "gantry/classifier:1.0.0")
        #expect(plugin.dockerImage == nil)
        #expect(plugin.resources == .init(cpu: 0.5, memoryMb: 128, gpus: 0))
        #expect(plugin.timeoutSeconds == 60)
        #expect(plugin.inputMode == .stdin)
        #expect(plugin.network == nil)
        let schema = try #require(plugin.inputSchema?.value as? [String: (any Sendable)?])
        #expect(schema["type"] as? String == "object")
        // The schemas travel unchanged: re-encoded, they decode to what the file held.
        let expected = try JSONDecoder().decode(
            OpenAPIValueContainer.self,
            from: Data(
                #"{"type":"object","properties":{"features":{"type":"array","items":{"type":"number"},"minItems":1}},"required":["features"]}"#
                    .utf8))
        #expect(plugin.inputSchema == expected)
    }

    @Test func dockerImageIsSentAsTheContractsField() throws {
        let manifest = try manifest(
            #"{"name": "p", "version": "2", "docker_image": "reg/p:2", "input_mode": "argv", "network": true}"#)
        #expect(manifest.plugin.dockerImageUrl == "reg/p:2")
        #expect(manifest.plugin.dockerImage == nil)
        #expect(manifest.plugin.inputMode == .argv)
        #expect(manifest.plugin.network == true)
        #expect(manifest.plugin.inputSchema == nil)
        #expect(manifest.plugin.resources == nil)
        // Both names for the same image are fine; different images are not.
        #expect(
            try self.manifest(#"{"name":"p","version":"2","docker_image":"a:1","docker_image_url":"a:1"}"#)
                .plugin.dockerImageUrl == "a:1")
        #expect(
            invalidInput {
                try self.manifest(#"{"name":"p","version":"2","docker_image":"a:1","docker_image_url":"b:1"}"#)
            }
                == #"plugin.json: "docker_image" and "docker_image_url" name different images; give one of them"#)
    }

    @Test func nullFieldsCountAsAbsentAndWholeNumbersMayBeWrittenAsDecimals() throws {
        let manifest = try manifest(
            #"{"name":"p","version":"1","docker_image":"p:1","description":null,"timeout_seconds":30.0,"resources":{"cpu":2}}"#
        )
        #expect(manifest.plugin.description == nil)
        #expect(manifest.plugin.timeoutSeconds == 30)
        #expect(manifest.plugin.resources == .init(cpu: 2))
    }

    @Test func requiredFieldsAreNamed() {
        #expect(
            invalidInput { try manifest(#"{"version":"1","docker_image":"p:1"}"#) }
                == #"plugin.json: "name" is required"#)
        #expect(
            invalidInput { try manifest(#"{"name":"","version":"1","docker_image":"p:1"}"#) }
                == #"plugin.json: "name" is required"#)
        #expect(
            invalidInput { try manifest(#"{"name":"p","docker_image":"p:1"}"#) }
                == #"plugin.json: "version" is required"#)
        #expect(
            invalidInput { try manifest(#"{"name":"p","version":"1"}"#) }
                == #"plugin.json: "docker_image" (or "docker_image_url") is required"#)
    }

    @Test func wrongTypesAreNamedWithTheirPath() {
        let base = #""name":"p","version":"1","docker_image":"p:1""#
        #expect(
            invalidInput { try manifest("{\(base), \"timeout_seconds\": \"60\"}") }
                == #"plugin.json: "timeout_seconds" must be a whole number, not a string"#)
        #expect(
            invalidInput { try manifest("{\(base), \"timeout_seconds\": 1.5}") }
                == #"plugin.json: "timeout_seconds" must be a whole number, not a number"#)
        #expect(
            invalidInput { try manifest("{\(base), \"resources\": {\"cpu\": true}}") }
                == #"plugin.json: "resources.cpu" must be a number, not true"#)
        #expect(
            invalidInput { try manifest("{\(base), \"resources\": [1]}") }
                == #"plugin.json: "resources" must be an object, not an array"#)
        #expect(
            invalidInput { try manifest("{\(base), \"network\": \"yes\"}") }
                == #"plugin.json: "network" must be true or false, not a string"#)
        #expect(
            invalidInput { try manifest(#"{"name":"p","version":1,"docker_image":"p:1"}"#) }
                == #"plugin.json: "version" must be a string, not a number"#)
        #expect(
            invalidInput { try manifest("{\(base), \"input_mode\": \"file\"}") }
                == #"plugin.json: "input_mode" must be "stdin" or "argv", not "file""#)
    }

    @Test func unknownFieldsAreReportedNotSent() throws {
        let manifest = try manifest(
            #"{"name":"p","version":"1","docker_image":"p:1","timeout":60,"entrypoint":["x"],"resources":{"gpu":1}}"#)
        #expect(manifest.unknownFields == ["entrypoint", "timeout", "resources.gpu"])
        #expect(
            PluginRendering.unknownFieldWarnings(manifest, label: "p.json") == [
                #"warning: p.json: ignoring unknown field "entrypoint""#,
                #"warning: p.json: ignoring unknown field "timeout""#,
                #"warning: p.json: ignoring unknown field "resources.gpu""#,
            ])
    }

    @Test func somethingOtherThanAnObjectIsRefused() {
        #expect(
            invalidInput { try manifest("[1, 2]") }
                == "plugin.json must hold a JSON object with the plugin's fields, not an array")
        #expect(
            invalidInput { try manifest("\"classifier\"") }
                == "plugin.json must hold a JSON object with the plugin's fields, not a string")
    }

    @Test func brokenJSONSaysWhereItCameFrom() throws {
        let broken = try #require(invalidInput { try manifest("{\"name\": \"p\",\n \"version\" \"1\"}") })
        #expect(broken.hasPrefix("plugin.json is not valid JSON"))
        #expect(invalidInput { try manifest("  \n") } == "plugin.json is empty: expected JSON")
    }

    @Test func filesAndStdinAreRead() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("gantry-plugin-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("plugin.json")
        try Data(Self.classifier.utf8).write(to: file)

        let source = JSONInputFile.source(forPath: file.path, home: "/nowhere")
        #expect(source == .file(file.path))
        #expect(try PluginManifestFile.load(source).name == "classifier")
        #expect(JSONInputFile.source(forPath: "~/plugin.json", home: directory.path) == .file(file.path))

        #expect(JSONInputFile.source(forPath: "-", home: "/nowhere") == .stdin)
        let fromStdin = try PluginManifestFile.load(.stdin, readStdin: { Data(Self.classifier.utf8) })
        #expect(fromStdin.plugin.version == "1.0.0")
        #expect(
            invalidInput { try PluginManifestFile.load(.stdin, readStdin: { Data() }) }
                == "stdin is empty: expected JSON")

        let missing = directory.appendingPathComponent("missing.json").path
        #expect(
            invalidInput { try PluginManifestFile.load(.file(missing)) } == "cannot read \(missing): no such file")
    }
}
