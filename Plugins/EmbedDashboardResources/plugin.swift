import Foundation
import PackagePlugin

/// Embeds every file under the target's `Resources/` folder (templates, stylesheet, script) as
/// `DashboardResources.files`, so the one `gantry` binary serves the dashboard from anywhere.
@main
struct EmbedDashboardResources: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        guard let sourceTarget = target as? SourceModuleTarget else { return [] }
        let root = sourceTarget.directoryURL.appending(path: "Resources")
        var inputs: [URL] = []
        if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in walker
            where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
                && !url.lastPathComponent.hasPrefix(".")
            {
                inputs.append(url)
            }
        }
        inputs.sort { $0.path() < $1.path() }
        let output = context.pluginWorkDirectoryURL.appending(path: "DashboardResources.swift")
        return [
            .buildCommand(
                displayName: "Embedding dashboard resources",
                executable: try context.tool(named: "EmbedResourceTool").url,
                arguments: ["--files", root.path(), output.path(), "DashboardResources"] + inputs.map { $0.path() },
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
