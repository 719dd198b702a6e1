import Foundation
import GantryCore
import GantryEdge
import GantryPorts
import GantryServices
import Hummingbird

struct CountTile: Sendable {
    var label: String
    var value: Int
    var href: String?
    var tone: String
}

struct NodeRowView: Sendable {
    var name: String
    var address: String
    var status: String
    var tone: String
    var cpu: String
    var memory: String
    var gpus: Int
}

struct OverviewBody: Sendable {
    var instanceTiles: [CountTile]
    var instancesTotal: Int
    var nodesOnline: Int
    var nodesTotal: Int
    var nodes: [NodeRowView]
    var cluster: [UsageView]
    var quota: [UsageView]
    var jobTiles: [CountTile]
    var sessionsActive: Int
    var isAdmin: Bool
    var usersTotal: Int
    var pluginsTotal: Int
    var deadLetters: Int
}

extension Dashboard {
    func overview(_ request: Request, viewer: Viewer) async throws -> Response {
        try page(
            "overview", title: "Overview", section: .overview, viewer: viewer, request: request,
            body: try await overviewBody(viewer))
    }

    func overviewBody(_ viewer: Viewer) async throws -> OverviewBody {
        let principal = viewer.principal
        async let instancesPage = services.instances.list(by: principal, skip: 0, limit: 500, allUsers: true)
        async let nodeViews = services.nodes.list()
        async let quota = services.users.quota(of: principal.id, by: principal)
        async let jobCounts = services.jobs.counts(by: principal)
        async let sessionStats = services.sessions.stats(by: principal)

        let instances = try await instancesPage
        var byState: [InstanceState: Int] = [:]
        for instance in instances.items { byState[instance.state, default: 0] += 1 }
        let shown: [InstanceState] = [.running, .pending, .stopped, .failed]
        let instanceTiles = shown.map {
            CountTile(
                label: $0.rawValue.capitalizedFirst, value: byState[$0] ?? 0, href: "/dashboard/instances",
                tone: BadgeTone.forState($0.rawValue))
        }

        let nodes = try await nodeViews
        // The totals from the same views: `cluster()` would read nodes and allocations again.
        let summary = NodeService.summary(of: nodes)
        let report = try await quota
        let counts = try await jobCounts
        let stats = try await sessionStats

        let usersTotal =
            viewer.isAdmin ? try await services.users.listUsers(by: principal, skip: 0, limit: 1).total : 0
        let pluginsTotal = try await services.plugins.list(nameContaining: nil, skip: 0, limit: 1).total
        let jobTiles = JobStatus.allCases.map {
            CountTile(
                label: $0.rawValue.capitalizedFirst, value: counts.byStatus[$0] ?? 0,
                href: "/dashboard/jobs?status=\($0.rawValue)", tone: BadgeTone.forState($0.rawValue))
        }
        let active = (stats.byState[.running] ?? 0) + (stats.byState[.creating] ?? 0)
        return OverviewBody(
            instanceTiles: instanceTiles,
            instancesTotal: instances.items.filter { $0.state != .terminated }.count,
            nodesOnline: summary.onlineNodes, nodesTotal: summary.nodes,
            nodes: nodes.map { view in
                NodeRowView(
                    name: view.node.name, address: view.node.address, status: view.node.status.rawValue,
                    tone: BadgeTone.forState(view.node.status.rawValue),
                    cpu: "\(DisplayFormat.cpu(view.allocated.cpu)) / \(DisplayFormat.cpu(view.node.capacity.cpu))",
                    memory:
                        "\(DisplayFormat.memory(mb: view.allocated.memoryMB)) / \(DisplayFormat.memory(mb: view.node.capacity.memoryMB))",
                    gpus: view.node.capacity.gpus)
            },
            cluster: [
                UsageView(
                    label: "CPU", used: summary.allocated.cpu, total: summary.capacity.cpu,
                    figure:
                        "\(DisplayFormat.cpu(summary.allocated.cpu)) / \(DisplayFormat.cpu(summary.capacity.cpu)) cores"
                ),
                UsageView(
                    label: "Memory", used: Double(summary.allocated.memoryMB), total: Double(summary.capacity.memoryMB),
                    figure:
                        "\(DisplayFormat.memory(mb: summary.allocated.memoryMB)) / \(DisplayFormat.memory(mb: summary.capacity.memoryMB))"
                ),
                UsageView(
                    label: "GPU", used: Double(summary.allocated.gpus), total: Double(summary.capacity.gpus),
                    figure: "\(summary.allocated.gpus) / \(summary.capacity.gpus) GPUs"),
            ],
            quota: Self.quotaUsage(report),
            jobTiles: jobTiles, sessionsActive: active, isAdmin: viewer.isAdmin, usersTotal: usersTotal,
            pluginsTotal: pluginsTotal, deadLetters: counts.deadLettered)
    }

    static func quotaUsage(_ report: QuotaReport) -> [UsageView] {
        [
            UsageView(
                label: "Instances", used: Double(report.usage.instances), total: Double(report.limits.instances),
                figure: "\(report.usage.instances) / \(report.limits.instances)"),
            UsageView(
                label: "CPU", used: report.usage.cpu, total: report.limits.cpu,
                figure: "\(DisplayFormat.cpu(report.usage.cpu)) / \(DisplayFormat.cpu(report.limits.cpu)) cores"),
            UsageView(
                label: "Memory", used: Double(report.usage.memoryMB), total: Double(report.limits.memoryMB),
                figure:
                    "\(DisplayFormat.memory(mb: report.usage.memoryMB)) / \(DisplayFormat.memory(mb: report.limits.memoryMB))"
            ),
            UsageView(
                label: "GPUs", used: Double(report.usage.gpus), total: Double(report.limits.gpus),
                figure: "\(report.usage.gpus) / \(report.limits.gpus)"),
        ]
    }
}
