import Foundation
import GantryOpenAPI
import OpenAPIRuntime

/// How plugins look to people: a table for lists; for one plugin its settings, then its schemas in full,
/// because they are what a job's input is checked against.
enum PluginRendering {
    static func table(_ plugins: [Components.Schemas.Plugin], now: Date) -> String {
        TableRenderer(columns: [
            .init("NAME"), .init("VERSION"), .init("IMAGE"), .init("INPUT MODE"), .init("TIMEOUT", alignment: .right),
            .init("CREATED"),
        ]).render(
            plugins.map { plugin in
                [
                    plugin.name, plugin.version, plugin.dockerImageUrl, plugin.inputMode.rawValue,
                    timeout(plugin.timeoutSeconds), Format.age(of: plugin.createdAt, now: now) + " ago",
                ]
            })
    }

    static func details(_ plugin: Components.Schemas.Plugin, now: Date) -> String {
        let resources = plugin.resources
        let details = DetailRenderer.render([
            ("Name", plugin.name),
            ("Version", plugin.version),
            ("Description", Format.orDash(plugin.description)),
            ("Image", plugin.dockerImageUrl),
            ("Input mode", inputMode(plugin.inputMode)),
            ("Timeout", "\(timeout(plugin.timeoutSeconds)) per attempt"),
            ("CPU", Format.orDash(resources.cpu.map(Format.cpu))),
            ("Memory (MB)", Format.orDash(resources.memoryMb.map(String.init))),
            ("GPUs", Format.orDash(resources.gpus.map(String.init))),
            ("Network", Format.yesNo(plugin.network)),
            ("ID", plugin.id),
            ("Created", "\(Format.timestamp(plugin.createdAt)) (\(Format.age(of: plugin.createdAt, now: now)) ago)"),
            ("Updated", Format.timestamp(plugin.updatedAt)),
        ])
        return details + "\nInput schema:\n" + schema(plugin.inputSchema) + "\nOutput schema:\n"
            + schema(plugin.outputSchema)
    }

    /// After `register` or `update`: what is now live, and which image jobs will run.
    static func registered(_ plugin: Components.Schemas.Plugin, updated: Bool) -> String {
        let verb = updated ? "Updated plugin \(plugin.name) to version" : "Registered plugin \(plugin.name) version"
        return "\(verb) \(plugin.version)\nImage: \(plugin.dockerImageUrl)\n"
    }

    /// After `rm`: queued jobs do not silently wait for a plugin that is gone, and people should know.
    static func removed(_ name: String) -> String {
        "Removed plugin \(name); its queued jobs fail with plugin_missing\n"
    }

    /// The timeout as written in a plugin.json, in seconds.
    static func timeout(_ seconds: Int) -> String { "\(seconds)s" }

    /// A warning for each manifest field the contract has no place for.
    static func unknownFieldWarnings(_ manifest: PluginManifest, label: String) -> [String] {
        manifest.unknownFields.map { "warning: \(label): ignoring unknown field \"\($0)\"" }
    }

    private static func inputMode(_ mode: Components.Schemas.PluginInputMode) -> String {
        switch mode {
        case .stdin: "stdin (the input JSON is written to the container's stdin)"
        case .argv: "argv (the input JSON is the command's first argument)"
        }
    }

    private static func schema(_ schema: OpenAPIValueContainer?) -> String {
        schema.map { JSONValueRendering.block($0) } ?? "  (none: any JSON is accepted)\n"
    }
}
