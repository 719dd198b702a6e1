import Prometheus
import SSHGateway
import ServiceLifecycle

/// The SSH gateway's counters in the server's Prometheus registry.
struct SSHGatewayPrometheusMetrics: SSHGatewayMetrics {
    let registry: PrometheusCollectorRegistry

    private func counter(_ name: String, _ help: String) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "gantry", subsystem: "ssh", metricName: name, unitName: "", helpText: help))
    }

    private var open: Gauge {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "gantry", subsystem: "ssh", metricName: "connections_open", unitName: "",
                helpText: "Open SSH connections."
            ))
    }

    func connectionOpened() {
        counter("connections_total", "SSH connections accepted.").increment()
        open.increment()
    }

    func connectionClosed() { open.decrement() }

    func loginRefused() { counter("logins_refused_total", "SSH logins refused.").increment() }

    func connectionRefused(reason: String) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "gantry", subsystem: "ssh", metricName: "connections_refused_total", unitName: "",
                helpText: "SSH connections refused by a connection limit, by reason."),
            labels: [("reason", reason)]
        ).increment()
    }

    func bytesReceived(_ count: Int) {
        counter("received_bytes_total", "Bytes from SSH clients into containers.").increment(by: Int64(count))
    }

    func bytesSent(_ count: Int) {
        counter("sent_bytes_total", "Bytes from containers to SSH clients.").increment(by: Int64(count))
    }
}

/// Runs the SSH gateway next to the HTTP server and stops it on graceful shutdown.
struct SSHGatewayService: Service {
    let gateway: SSHGateway

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await gateway.run()
        }
    }
}
