import PackagePlugin

/// Embeds the target's `openapi.yaml` as `OpenAPIDocument.text`, so `/openapi.json` and `/docs`
/// serve exactly the document the code was generated from.
@main
struct EmbedOpenAPIDocument: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        guard let sourceTarget = target as? SourceModuleTarget else { return [] }
        let input = sourceTarget.directoryURL.appending(path: "openapi.yaml")
        let output = context.pluginWorkDirectoryURL.appending(path: "OpenAPIDocument.swift")
        return [
            .buildCommand(
                displayName: "Embedding openapi.yaml",
                executable: try context.tool(named: "EmbedResourceTool").url,
                arguments: [input.path(), output.path(), "OpenAPIDocument"],
                inputFiles: [input],
                outputFiles: [output]
            )
        ]
    }
}
