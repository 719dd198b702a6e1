import Foundation
import GantryCore
import GantryEdge
import GantryPorts
import GantryServices
import HTTPTypes
import Hummingbird

struct PluginRowView: Sendable {
    var name: String
    var href: String
    var version: String
    var image: String
    var summary: String?
    var created: TimeView
}

struct PluginListBody: Sendable {
    var rows: [PluginRowView]
    var pagination: PaginationView?
}

struct PluginDetailBody: Sendable {
    var name: String
    var version: String
    var summary: String?
    var image: String
    var resources: String
    var timeout: String
    var inputMode: String
    var networkText: String
    var created: TimeView
    var updated: TimeView
    var inputSchema: String?
    var outputSchema: String?
    var submitHref: String
    var deleteAction: String
    var jobs: [JobRowView]
    var showOwner: Bool
    var jobsHref: String
    var moreJobs: Bool
}

struct PluginNewBody: Sendable {
    var manifest: String
    var error: String?
}

extension Dashboard {
    static let pluginsPerPage = 50
    static let recentJobsPerPlugin = 10

    func registerPlugins<Context: RequestContext>(on router: Router<Context>) {
        router.get("/dashboard/plugins") { request, _ in
            try await self.signedIn(request) { request, viewer in try await self.pluginList(request, viewer: viewer) }
        }
        router.get("/dashboard/plugins/new") { request, _ in
            try await self.signedIn(request) { request, viewer in
                try viewer.principal.requireAdmin()
                return try self.page(
                    "plugin-new", title: "Register a plugin", section: .plugins, viewer: viewer, request: request,
                    body: PluginNewBody(manifest: PluginManifestText.example, error: nil))
            }
        }
        router.post("/dashboard/plugins") { request, context in
            try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.registerPlugin(request, viewer: viewer, form: form)
            }
        }
        router.get("/dashboard/plugins/{name}") { request, context in
            let name = context.parameters.get("name") ?? ""
            return try await self.signedIn(request) { request, viewer in
                try await self.pluginDetail(request, viewer: viewer, name: name)
            }
        }
        router.post("/dashboard/plugins/{name}/delete") { request, context in
            let name = context.parameters.get("name") ?? ""
            return try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.deletePlugin(request, viewer: viewer, name: name, form: form)
            }
        }
    }

    func pluginList(_ request: Request, viewer: Viewer) async throws -> Response {
        let page = PageNumber(request)
        let listing = try await services.plugins.list(
            nameContaining: nil, skip: page.skip(perPage: Self.pluginsPerPage), limit: Self.pluginsPerPage)
        let rows = listing.items.map {
            PluginRowView(
                name: $0.name, href: "/dashboard/plugins/" + Self.pathSegment($0.name), version: $0.version,
                image: $0.imageReference, summary: $0.description.isEmpty ? nil : $0.description,
                created: TimeView($0.createdAt))
        }
        return try self.page(
            "plugins", title: "Plugins", section: .plugins, viewer: viewer, request: request,
            body: PluginListBody(
                rows: rows,
                pagination: PaginationView(
                    page: page, perPage: Self.pluginsPerPage, total: listing.total, path: "/dashboard/plugins",
                    query: [:])))
    }

    func pluginDetail(_ request: Request, viewer: Viewer, name: String) async throws -> Response {
        let plugin = try await services.plugins.plugin(name: name)
        let segment = Self.pathSegment(plugin.name)
        let recent = try await services.jobs.list(
            by: viewer.principal, pluginName: plugin.name, skip: 0, limit: Self.recentJobsPerPlugin)
        let owners = viewer.isAdmin ? try await usernames(viewer) : [:]
        let path = "/dashboard/plugins/\(segment)"
        let resources = plugin.resources
        return try page(
            "plugin", title: plugin.name, section: .plugins, viewer: viewer, request: request,
            body: PluginDetailBody(
                name: plugin.name, version: plugin.version,
                summary: plugin.description.isEmpty ? nil : plugin.description, image: plugin.imageReference,
                resources: "\(DisplayFormat.cpu(resources.cpu)) CPU · \(DisplayFormat.memory(mb: resources.memoryMB))"
                    + (resources.gpus > 0 ? " · \(resources.gpus) GPU" : ""),
                timeout: "\(plugin.timeoutSeconds) s per attempt", inputMode: plugin.inputMode.rawValue,
                networkText: plugin.network ? "yes" : "none", created: TimeView(plugin.createdAt),
                updated: TimeView(plugin.updatedAt), inputSchema: plugin.inputSchema.map(SchemaForm.prettyJSON),
                outputSchema: plugin.outputSchema.map(SchemaForm.prettyJSON),
                submitHref: "/dashboard/jobs/new?plugin=\(segment)", deleteAction: path + "/delete",
                jobs: recent.items.map { jobRow($0, viewer: viewer, owners: owners, returnTo: path) },
                showOwner: viewer.isAdmin, jobsHref: "/dashboard/jobs?plugin=\(segment)",
                moreJobs: recent.total > recent.items.count))
    }

    func registerPlugin(_ request: Request, viewer: Viewer, form: FormFields) async throws -> Response {
        try viewer.principal.requireAdmin()
        let text = form["manifest"] ?? ""
        do {
            let manifest = try PluginManifestText.manifest(from: text)
            let plugin = try await services.plugins.register(manifest, by: viewer.principal)
            return redirect(
                to: "/dashboard/plugins/" + Self.pathSegment(plugin.name),
                flash: Flash(kind: .success, message: "Registered \(plugin.name) \(plugin.version)."))
        } catch let error as GantryError {
            return try page(
                "plugin-new", title: "Register a plugin", section: .plugins, viewer: viewer, request: request,
                body: PluginNewBody(manifest: text, error: error.detail),
                status: ErrorMapping.status(for: error.kind))
        }
    }

    func deletePlugin(_ request: Request, viewer: Viewer, name: String, form: FormFields) async throws -> Response {
        try viewer.principal.requireAdmin()
        let plugin = try await services.plugins.plugin(name: name)
        let path = "/dashboard/plugins/" + Self.pathSegment(plugin.name)
        guard form["confirm"] == "yes" else {
            return try confirmPage(
                request, viewer: viewer, section: .plugins,
                body: ConfirmBody(
                    heading: "Delete plugin",
                    message: "Delete \(plugin.name)? Its queued jobs fail with the code plugin_missing.",
                    action: path + "/delete", confirmLabel: "Delete", danger: true, cancelHref: path, fields: []))
        }
        try await services.plugins.delete(name: plugin.name, by: viewer.principal)
        return redirect(to: "/dashboard/plugins", flash: Flash(kind: .success, message: "Deleted \(plugin.name)."))
    }
}

/// A plugin.json typed into the dashboard, read into the same `PluginManifest` the API builds from
/// its `NewPlugin` body (GantryAPI's mapping is internal to that module): only the JSON shape is
/// checked here; `PluginService.register` validates the manifest itself.
enum PluginManifestText {
    static func manifest(from text: String) throws(GantryError) -> PluginManifest {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw GantryError.invalid("paste the plugin's plugin.json")
        }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text)
        } catch {
            throw GantryError(.invalidInput, code: "invalid_json", detail: "the manifest is not valid JSON: \(error)")
        }
        guard let object = json.objectValue else {
            throw GantryError.invalid("the manifest must be a JSON object, not \(json.typeName)")
        }
        let resources = try optionalObject(object, "resources")
        guard let version = try string(object, "version") else { throw GantryError.invalid("version is required") }
        let imageURL = try string(object, "docker_image_url")
        let image = try string(object, "docker_image")
        return PluginManifest(
            name: try string(object, "name"), version: version, description: try string(object, "description"),
            imageReference: imageURL ?? image,
            inputSchema: object["input_schema"].flatMap { $0 == .null ? nil : $0 },
            outputSchema: object["output_schema"].flatMap { $0 == .null ? nil : $0 },
            cpu: try number(resources, "cpu", path: "resources."),
            memoryMB: try integer(resources, "memory_mb", path: "resources."),
            gpus: try integer(resources, "gpus", path: "resources."),
            timeoutSeconds: try integer(object, "timeout_seconds"), inputMode: try string(object, "input_mode"),
            network: try bool(object, "network"))
    }

    static func string(_ object: [String: JSONValue], _ key: String) throws(GantryError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw mismatch(key, "a string", other)
        }
    }

    static func integer(_ object: [String: JSONValue], _ key: String, path: String = "") throws(GantryError) -> Int? {
        switch object[key] {
        case nil, .null?: return nil
        case .number(let number)?:
            guard let value = number.intValue else { throw mismatch(path + key, "an integer", .number(number)) }
            return value
        case let other?: throw mismatch(path + key, "an integer", other)
        }
    }

    static func number(_ object: [String: JSONValue], _ key: String, path: String = "") throws(GantryError) -> Double? {
        switch object[key] {
        case nil, .null?: return nil
        case let value? where value.doubleValue != nil: return value.doubleValue
        case let other?: throw mismatch(path + key, "a number", other)
        }
    }

    static func bool(_ object: [String: JSONValue], _ key: String) throws(GantryError) -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw mismatch(key, "true or false", other)
        }
    }

    static func optionalObject(_ object: [String: JSONValue], _ key: String) throws(GantryError) -> [String: JSONValue]
    {
        switch object[key] {
        case nil, .null?: return [:]
        case .object(let members)?: return members
        case let other?: throw mismatch(key, "an object", other)
        }
    }

    static func mismatch(_ key: String, _ expected: String, _ value: JSONValue) -> GantryError {
        GantryError.invalid("\(key) must be \(expected), not \(value.typeName)")
    }

    /// What the form starts with: a valid plugin.json to edit.
    static let example = """
        {
          "name": "my-plugin",
          "version": "1.0.0",
          "description": "What the plugin does",
          "docker_image_url": "registry.example.com/my-plugin:1.0.0",
          "input_schema": {
            "type": "object",
            "properties": {
              "text": {"type": "string", "description": "The text to process"},
              "repeat": {"type": "integer", "minimum": 1, "default": 1}
            },
            "required": ["text"]
          },
          "output_schema": {
            "type": "object",
            "properties": {"result": {"type": "string"}},
            "required": ["result"]
          },
          "resources": {"cpu": 1, "memory_mb": 512, "gpus": 0},
          "timeout_seconds": 600,
          "input_mode": "stdin"
        }
        """
}
