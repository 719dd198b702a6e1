import Foundation
import GantryCore
import GantryPorts
import GantryServices
import HTTPTypes
import Hummingbird
import Prometheus

/// The Prometheus registry of one server, and the `/metrics` endpoint that renders it. Gauges
/// for instances and nodes are refreshed from the database on each scrape, so replicas agree.
public final class GantryMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let store: any Store
    let nodes: NodeService
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    init(store: any Store, nodes: NodeService) {
        self.store = store
        self.nodes = nodes
    }

    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "gantry", metricName: "http_request_duration", unitName: "seconds",
                helpText: "HTTP request latency by route, method and status."),
            labels: [("route", route), ("method", method), ("status", String(status))],
            buckets: Self.buckets
        ).record(duration)
    }

    func refreshGauges() async throws {
        JobPrometheusMetrics(registry: registry).updateCounts(try await store.countJobs(ownerID: nil, now: Date()))
        let counts = try await store.countInstancesByState()
        for state in InstanceState.allCases {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "gantry", metricName: "instances", unitName: "", helpText: "Instances by state."),
                labels: [("state", state.rawValue)]
            ).set(Double(counts[state] ?? 0))
        }
        let sessionCounts = try await store.countSessionsByState()
        for state in SessionState.allCases {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "gantry", metricName: "sessions", unitName: "", helpText: "GPU sessions by state."),
                labels: [("state", state.rawValue)]
            ).set(Double(sessionCounts[state] ?? 0))
        }
        let held = Set(try await store.activeSessions().compactMap(\.gpu?.deviceUUID))
        for stored in try await store.gpuInventories() {
            let devices = SchedulableGPUDevice.devices(of: stored.inventory, node: stored.node)
            for kind in [SchedulableGPUDevice.Kind.mig, .wholeGPU] {
                let ofKind = devices.filter { $0.kind == kind }
                for (name, value) in [
                    ("gpu_devices", ofKind.count),
                    ("gpu_devices_allocated", ofKind.filter { held.contains($0.uuid) }.count),
                ] {
                    registry.makeGauge(
                        descriptor: MetricNameDescriptor(
                            namespace: "gantry", metricName: name,
                            unitName: "",
                            helpText: name == "gpu_devices"
                                ? "GPU devices sessions can hold (MIG devices, whole GPUs)."
                                : "GPU devices held by active sessions."),
                        labels: [("node", stored.node), ("kind", kind.rawValue)]
                    ).set(Double(value))
                }
            }
        }
        for view in try await nodes.list() {
            let node = view.node
            let values: [(String, String, Double, Double)] = [
                ("cpu", "cores", node.capacity.cpu, view.allocated.cpu),
                (
                    "memory", "bytes", Double(node.capacity.memoryMB) * 1_048_576,
                    Double(view.allocated.memoryMB) * 1_048_576
                ),
                ("gpus", "", Double(node.capacity.gpus), Double(view.allocated.gpus)),
            ]
            for (resource, unit, capacity, allocated) in values {
                setNodeGauge(
                    "\(resource)_capacity", unit: unit, help: "Node \(resource) capacity.", node.name, capacity)
                setNodeGauge(
                    "\(resource)_allocated", unit: unit, help: "Node \(resource) held by instances.", node.name,
                    allocated)
            }
            setNodeGauge(
                "online", unit: "", help: "1 when the node is online.", node.name, node.status == .online ? 1 : 0)
        }
    }

    private func setNodeGauge(_ name: String, unit: String, help: String, _ node: String, _ value: Double) {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "gantry", subsystem: "node", metricName: name, unitName: unit,
                helpText: help),
            labels: [("node", node)]
        ).set(value)
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/metrics") { _, _ in
            try await self.refreshGauges()
            var buffer: [UInt8] = []
            self.registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}

/// Records each request's latency by route template, method and status.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: GantryMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        metrics.recordRequest(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code,
            duration: ContinuousClock.now - start)
        return response
    }
}
