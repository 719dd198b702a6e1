import ArgumentParser
import Foundation
import GantryOpenAPI

struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "The nodes instances run on.",
        subcommands: [NodesListCommand.self]
    )
}

enum NodeRendering {
    /// Capacity columns read `allocated/capacity`, which is what placement decisions hinge on.
    static func table(_ nodes: [Components.Schemas.Node], now: Date) -> String {
        TableRenderer(columns: [
            .init("NAME"), .init("STATUS"), .init("ADDRESS"), .init("CPU", alignment: .right),
            .init("MEM(MB)", alignment: .right), .init("GPUS", alignment: .right),
            .init("LAST SEEN", alignment: .right),
        ]).render(
            nodes.map { node in
                [
                    node.name, node.status.rawValue, node.address,
                    Format.fraction(Format.cpu(node.allocated.cpu), Format.cpu(node.capacity.cpu)),
                    Format.fraction(String(node.allocated.memoryMb), String(node.capacity.memoryMb)),
                    Format.fraction(String(node.allocated.gpus), String(node.capacity.gpus)),
                    node.lastSeenAt.map { Format.age(of: $0, now: now) + " ago" } ?? "never",
                ]
            })
    }

    static func cluster(_ cluster: Components.Schemas.Cluster) -> String {
        let header = "Nodes: \(cluster.nodes) (\(cluster.onlineNodes) online)\n\n"
        let table = TableRenderer(columns: [
            .init("RESOURCE"), .init("CAPACITY", alignment: .right), .init("ALLOCATED", alignment: .right),
            .init("FREE", alignment: .right),
        ]).render([
            ["cpu", Format.cpu(cluster.capacity.cpu), Format.cpu(cluster.allocated.cpu), Format.cpu(cluster.free.cpu)],
            [
                "memory_mb", String(cluster.capacity.memoryMb), String(cluster.allocated.memoryMb),
                String(cluster.free.memoryMb),
            ],
            ["gpus", String(cluster.capacity.gpus), String(cluster.allocated.gpus), String(cluster.free.gpus)],
        ])
        return header + table
    }
}

struct NodesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List nodes with their capacity and allocation.", aliases: ["ls"])

    @OptionGroup var options: APIOptions
    @OptionGroup var page: PageOptions

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let list: Components.Schemas.NodeList
            switch try await api.client.listNodes(query: .init(skip: page.skip, limit: page.limit)) {
            case .ok(let ok): list = try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.ListNodes.id)
            }
            try api.emit(list) { NodeRendering.table(list.items, now: Date()) }
            api.notePaging(shown: list.items.count, skip: page.skip, total: list.total)
        }
    }
}

struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "Show total, allocated and free CPU, memory and GPUs over online nodes.")

    @OptionGroup var options: APIOptions

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let cluster: Components.Schemas.Cluster
            switch try await api.client.getCluster() {
            case .ok(let ok): cluster = try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.GetCluster.id)
            }
            try api.emit(cluster) { NodeRendering.cluster(cluster) }
        }
    }
}
