import ArgumentParser
import Foundation
import GantryOpenAPI

struct QuotaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quota", abstract: "Show quota limits against current usage.")

    @OptionGroup var options: APIOptions
    @Option(help: "Another user's ID, username or email (admin).") var user: String?

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let quota: Components.Schemas.Quota
            if let user {
                let id = try await api.userID(for: user)
                switch try await api.client.getUserQuota(path: .init(id: id)) {
                case .ok(let ok): quota = try ok.body.json
                default: throw CLIError.unexpectedResponse(Operations.GetUserQuota.id)
                }
            } else {
                switch try await api.client.getCurrentUserQuota() {
                case .ok(let ok): quota = try ok.body.json
                default: throw CLIError.unexpectedResponse(Operations.GetCurrentUserQuota.id)
                }
            }
            try api.emit(quota) { QuotaRendering.table(quota) }
        }
    }
}

enum QuotaRendering {
    /// Resource names as the API spells them, so people and `--json` agree.
    static func table(_ quota: Components.Schemas.Quota) -> String {
        let used = quota.usage
        let limits = quota.limits
        return TableRenderer(columns: [
            .init("RESOURCE"), .init("USED", alignment: .right), .init("LIMIT", alignment: .right),
        ]).render([
            ["instances", String(used.instances), String(limits.instances)],
            ["cpu", Format.cpu(used.cpu), Format.cpu(limits.cpu)],
            ["memory_mb", String(used.memoryMb), String(limits.memoryMb)],
            ["gpus", String(used.gpus), String(limits.gpus)],
        ])
    }
}
