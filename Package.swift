// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "gantry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gantry", targets: ["gantry"]),
        .executable(name: "gantry-bench", targets: ["GantryBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-ssh.git", from: "0.15.1"),
        .package(url: "https://github.com/drmohundro/SWXMLHash.git", from: "8.1.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // Pure domain: workloads, state machines, policies, the reconcile plan. No I/O, no dependencies.
        .target(name: "GantryCore", swiftSettings: swiftSettings),

        // JSON Schema 2020-12 validation of plugin inputs and outputs (pure, on the core's JSONValue).
        .target(name: "GantryJSONSchema", dependencies: ["GantryCore"], swiftSettings: swiftSettings),

        // Ports: the adapter protocols (repositories, container runtime, GPU inventory, job
        // executor, workspaces) and their value types. The services use them; adapters implement them.
        .target(
            name: "GantryPorts",
            dependencies: [
                "GantryCore",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // Use cases: authorisation, quotas, transactions, the reconciler's executor, job workers.
        .target(
            name: "GantryServices",
            dependencies: [
                "GantryCore", "GantryPorts", "GantryJSONSchema",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // Adapter: GPU inventory from `nvidia-smi -q -x` and `nvidia-smi -L`.
        .target(
            name: "NvidiaSMI",
            dependencies: [
                "GantryCore", "GantryPorts",
                .product(name: "SWXMLHash", package: "SWXMLHash"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Edge: the SSH gateway that bridges SSH channels into container exec sessions.
        .target(
            name: "SSHGateway",
            dependencies: [
                "GantryCore", "GantryServices", "GantryPorts",
                .product(name: "NIOSSH", package: "swift-nio-ssh"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Adapter: persistence through FluentKit (SQLite or PostgreSQL).
        .target(
            name: "GantryStore",
            dependencies: [
                "GantryCore", "GantryPorts",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Adapter: Docker Engine API over its unix socket.
        .target(
            name: "DockerEngine",
            dependencies: [
                "GantryCore", "GantryPorts",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // The contract: openapi.yaml generates types, the server protocol and the client.
        .target(
            name: "GantryOpenAPI",
            dependencies: [
                "GantryCore",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            swiftSettings: swiftSettings,
            plugins: [
                .plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator"),
                .plugin(name: "EmbedOpenAPIDocument"),
            ]
        ),
        .executableTarget(name: "EmbedResourceTool", swiftSettings: swiftSettings),
        .plugin(
            name: "EmbedOpenAPIDocument",
            capability: .buildTool(),
            dependencies: ["EmbedResourceTool"]
        ),

        // Edge: HTTP API handlers, authentication, error mapping, docs.
        // What the edges share: the bag of services they call and the error-to-status mapping.
        .target(
            name: "GantryEdge",
            dependencies: [
                "GantryCore", "GantryServices", "GantryPorts",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "GantryAPI",
            dependencies: [
                "GantryCore", "GantryServices", "GantryPorts", "GantryEdge", "GantryOpenAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),

        // Edge: the web dashboard (server-rendered Mustache templates, a little of our own JS).
        .target(
            name: "GantryDashboard",
            dependencies: [
                "GantryCore", "GantryServices", "GantryPorts", "GantryEdge",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Resources"],
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "EmbedDashboardResources")]
        ),
        .plugin(
            name: "EmbedDashboardResources",
            capability: .buildTool(),
            dependencies: ["EmbedResourceTool"]
        ),

        // Composition root: configuration, application builder, background services.
        .target(
            name: "GantryServer",
            dependencies: [
                "GantryCore", "GantryServices", "GantryPorts", "GantryStore", "DockerEngine", "GantryAPI", "NvidiaSMI",
                "SSHGateway", "GantryDashboard", "GantryEdge",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),

        // Edge: the command-line client.
        .target(
            name: "GantryCLI",
            dependencies: [
                "GantryOpenAPI", "GantryCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "gantry",
            dependencies: [
                "GantryServer", "GantryCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "GantryBench",
            dependencies: [
                "GantryCore", "GantryServices", "GantryPorts", "GantryJSONSchema", "GantryStore", "GantryServer",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // In-memory twins of the ports and the helpers every test target shares (issue 11).
        .target(
            name: "GantryTestSupport",
            dependencies: [
                "GantryCore", "GantryPorts",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/GantryTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "GantryCoreTests", dependencies: ["GantryCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "GantryServicesTests",
            dependencies: [
                "GantryServices", "GantryPorts", "GantryCore", "GantryTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "GantryJSONSchemaTests", dependencies: ["GantryJSONSchema", "GantryCore"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "NvidiaSMITests", dependencies: ["NvidiaSMI", "GantryCore", "GantryTestSupport"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "SSHGatewayTests",
            dependencies: [
                "SSHGateway", "GantryServices", "GantryPorts", "GantryCore", "GantryTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GantryCLITests", dependencies: ["GantryCLI", "GantryOpenAPI"], swiftSettings: swiftSettings),
        .testTarget(
            name: "DockerEngineTests",
            dependencies: [
                "DockerEngine", "GantryPorts", "GantryCore", "GantryTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GantryIntegrationTests",
            dependencies: [
                "GantryCore", "GantryServices", "GantryPorts", "GantryJSONSchema", "GantryStore", "DockerEngine",
                "GantryServer", "GantryAPI", "GantryOpenAPI", "GantryTestSupport",
                "NvidiaSMI", "SSHGateway", "GantryDashboard",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            // Test code imports many modules for a few members each; strict member visibility
            // there only adds noise.
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ]
)
