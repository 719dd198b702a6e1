import Foundation

/// An entry of the admin-managed image catalog.
public struct CatalogImage: Sendable, Equatable {
    public var name: String
    public var displayName: String
    public var reference: String
    public var port: Int
    public var description: String
    public var command: [String]?
    /// Linux capabilities added back after dropping all (for example `NET_BIND_SERVICE`).
    public var capabilities: [String]
    public var createdAt: Date

    public init(
        name: String, displayName: String, reference: String, port: Int, description: String,
        command: [String]? = nil, capabilities: [String] = [], createdAt: Date = Date()
    ) {
        self.name = name
        self.displayName = displayName
        self.reference = reference
        self.port = port
        self.description = description
        self.command = command
        self.capabilities = capabilities
        self.createdAt = createdAt
    }

    public func validate() throws(GantryError) {
        guard Identifiers.isValidImageName(name) else {
            throw .invalid("image name must match ^[a-z0-9][a-z0-9._-]{0,62}$")
        }
        if let problem = ImageReferenceSyntax.problem(in: reference) {
            throw .invalid(
                "reference '\(reference)' is not a Docker image reference (such as nginx:1.25): it \(problem)")
        }
        guard (1...65535).contains(port) else { throw .invalid("port must be between 1 and 65535") }
        for capability in capabilities
        where capability.isEmpty || !capability.allSatisfy({ ($0 >= "A" && $0 <= "Z") || $0 == "_" }) {
            throw .invalid(
                "capability '\(capability)' must be an upper-case Linux capability name such as NET_BIND_SERVICE")
        }
    }

    /// Seed 000's catalog: Ubuntu 22.04, Python 3.11, Node.js 20, Nginx.
    public static let seedCatalog: [CatalogImage] = [
        CatalogImage(
            name: "ubuntu-22.04", displayName: "Ubuntu 22.04", reference: "ubuntu:22.04", port: 8080,
            description: "Ubuntu 22.04 LTS base system", command: ["sleep", "infinity"]),
        CatalogImage(
            name: "python-3.11", displayName: "Python 3.11", reference: "python:3.11-slim", port: 8080,
            description: "Python 3.11 serving its working directory over HTTP",
            command: ["python", "-m", "http.server", "8080"]),
        CatalogImage(
            name: "node-20", displayName: "Node.js 20", reference: "node:20-slim", port: 8080,
            description: "Node.js 20 runtime",
            command: ["node", "-e", "require('http').createServer((q,s)=>s.end('ok')).listen(8080)"]),
        CatalogImage(
            name: "nginx", displayName: "Nginx", reference: "nginx:1.25", port: 80,
            description: "Nginx web server",
            capabilities: ["CHOWN", "SETUID", "SETGID", "NET_BIND_SERVICE"]),
    ]
}
