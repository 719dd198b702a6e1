import Foundation
import GantryOpenAPI
import OpenAPIRuntime
import Testing

@testable import GantryCLI

@Suite struct PluginRenderingTests {
    let now = JobSamples.created.addingTimeInterval(3 * 86400)

    func plugin(
        name: String = "classifier", inputMode: Components.Schemas.PluginInputMode = .stdin,
        inputSchema: OpenAPIValueContainer? = nil
    ) -> Components.Schemas.Plugin {
        .init(
            id: "5e6f7081-0000-4000-8000-000000000005", name: name, version: "1.0.0", description: "Binary classifier",
            dockerImageUrl: "gantry/\(name):1.0.0", inputSchema: inputSchema, outputSchema: nil,
            resources: .init(cpu: 0.5, memoryMb: 128, gpus: 0), timeoutSeconds: 60, inputMode: inputMode,
            network: false, createdAt: JobSamples.created, updatedAt: JobSamples.created.addingTimeInterval(60))
    }

    @Test func tableShowsImageModeAndTimeout() {
        #expect(
            PluginRendering.table([plugin(), plugin(name: "processor", inputMode: .argv)], now: now) == """
                NAME         VERSION   IMAGE                     INPUT MODE   TIMEOUT   CREATED
                classifier   1.0.0     gantry/classifier:1.0.0   stdin            60s   3d ago
                processor    1.0.0     gantry/processor:1.0.0    argv             60s   3d ago

                """)
    }

    @Test func detailsEndWithBothSchemas() throws {
        let schema = try JobSamples.json(#"{"type":"object","required":["features"]}"#)
        #expect(
            PluginRendering.details(plugin(inputSchema: schema), now: now) == """
                Name:         classifier
                Version:      1.0.0
                Description:  Binary classifier
                Image:        gantry/classifier:1.0.0
                Input mode:   stdin (the input JSON is written to the container's stdin)
                Timeout:      60s per attempt
                CPU:          0.5
                Memory (MB):  128
                GPUs:         0
                Network:      no
                ID:           5e6f7081-0000-4000-8000-000000000005
                Created:      2025-01-01T00:00:00Z (3d ago)
                Updated:      2025-01-01T00:01:00Z

                Input schema:
                  {
                    "required" : [
                      "features"
                    ],
                    "type" : "object"
                  }

                Output schema:
                  (none: any JSON is accepted)

                """)
    }

    @Test func summaries() {
        #expect(
            PluginRendering.registered(plugin(), updated: false)
                == "Registered plugin classifier version 1.0.0\nImage: gantry/classifier:1.0.0\n")
        #expect(
            PluginRendering.registered(plugin(), updated: true)
                == "Updated plugin classifier to version 1.0.0\nImage: gantry/classifier:1.0.0\n")
        #expect(
            PluginRendering.removed("classifier")
                == "Removed plugin classifier; its queued jobs fail with plugin_missing\n")
    }
}
