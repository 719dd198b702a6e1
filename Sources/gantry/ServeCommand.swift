import ArgumentParser
import Foundation
import GantryServer
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Gantry server: API, docs, metrics and the reconciler, in one process.",
        discussion: """
            Configured with GANTRY_* environment variables (see the README, or --settings). With no
            configuration it keeps SQLite in ./.gantry and uses the local Docker Engine.
            """
    )

    @Flag(help: "List every setting with its default and exit.")
    var settings = false

    func run() async throws {
        if settings {
            for setting in GantryConfiguration.settings {
                print("\(setting.key)\n    default: \(setting.defaultValue)\n    \(setting.meaning)")
            }
            return
        }
        let configuration: GantryConfiguration
        do {
            configuration = try GantryConfiguration.load()
        } catch {
            FileHandle.standardError.write(Data("gantry: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let level = configuration.logLevel
        switch configuration.logFormat {
        case .json:
            LoggingSystem.bootstrap(
                { label, provider in JSONLogHandler(label: label, level: level, metadataProvider: provider) },
                metadataProvider: RequestIDContext.metadataProvider)
        case .text:
            LoggingSystem.bootstrap(
                { label, provider in
                    var handler = StreamLogHandler.standardOutput(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                }, metadataProvider: RequestIDContext.metadataProvider)
        }
        let logger = Logger(label: "gantry")
        let application: GantryApplication
        do {
            application = try await GantryApplication.build(configuration: configuration, logger: logger)
        } catch {
            logger.critical("gantry could not start", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("gantry: could not start: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if let password = application.generatedAdminPassword {
            let banner = """

                ============================================================
                 Gantry created the admin user. This password is shown once:
                   username: admin
                   password: \(password)
                 Set GANTRY_ADMIN_PASSWORD before the first start to choose it.
                ============================================================

                """
            FileHandle.standardError.write(Data(banner.utf8))
        }
        logger.info(
            "gantry serving",
            metadata: [
                "address": "\(configuration.httpHost):\(configuration.httpPort)",
                "installation": "\(application.installationID)",
            ])
        try await application.run()
    }
}
