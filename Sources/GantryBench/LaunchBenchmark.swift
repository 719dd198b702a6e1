import ArgumentParser
import Foundation
import GantryCore
import NIOHTTP1

/// Launch latency: POST /api/v1/instances until the endpoint answers HTTP, against `docker run -d`
/// of the same image with the same readiness poll. Medians of `--runs` each, as a ratio.
struct LaunchBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch", abstract: "Launch latency through Gantry vs plain docker run -d.")

    @Option(help: "Gantry server URL.") var server = "http://127.0.0.1:8080"
    @Option var username = "admin"
    @Option var password: String
    @Option(help: "Image reference to launch.") var reference = "gantry-test/httpd:latest"
    @Option(help: "Container port the image serves on.") var containerPort = 8080
    @Option(help: "Runs of each.") var runs = 10
    @Option(help: "Host port for the docker run baseline.") var baselinePort = 18999

    func run() async throws {
        var client = BenchClient(server: server)
        try await client.login(username: username, password: password)
        try await client.ensureImage(name: "bench-httpd", reference: reference, port: containerPort)
        try await client.raiseQuota(instances: 1000)

        var gantry: [Double] = []
        var docker: [Double] = []
        for run in 0..<runs {
            // Alternate so drift on the machine hits both equally.
            gantry.append(try await launchThroughGantry(client, run: run))
            docker.append(try await launchWithDocker(run: run))
        }
        let gantryMedian = median(gantry) * 1000
        let dockerMedian = median(docker) * 1000
        print(
            String(
                format: "launch: gantry median %.1f ms   docker run -d median %.1f ms   ratio %.2fx (target <= 1.2x)",
                gantryMedian, dockerMedian, gantryMedian / dockerMedian))
        print("launch: gantry runs (ms): " + gantry.map { String(format: "%.0f", $0 * 1000) }.joined(separator: " "))
        print("launch: docker runs (ms): " + docker.map { String(format: "%.0f", $0 * 1000) }.joined(separator: " "))
    }

    func launchThroughGantry(_ client: BenchClient, run: Int) async throws -> Double {
        let name = "bench-\(run)-\(UUID().uuidString.prefix(6).lowercased())"
        let start = ContinuousClock.now
        let (status, body) = try await client.call(
            .POST, "/api/v1/instances", json: ["name": name, "image": "bench-httpd", "cpu": 0.5, "memory_mb": 64])
        guard status == 202, let endpoint = body["endpoint"] as? String, let id = body["id"] as? String else {
            throw BenchClient.Failure(description: "launch failed (\(status)): \(body)")
        }
        guard await waitUntilAnswers(endpoint) else {
            throw BenchClient.Failure(description: "\(endpoint) never answered")
        }
        let elapsed = (ContinuousClock.now - start).seconds
        _ = try await client.call(.DELETE, "/api/v1/instances/\(id)")
        return elapsed
    }

    /// `docker run -d` with the poll running from the moment it is started, exactly as the
    /// Gantry side polls from the moment it POSTs: the same readiness poll for both.
    func launchWithDocker(run: Int) async throws -> Double {
        let name = "gantry-bench-baseline-\(run)-\(UUID().uuidString.prefix(6).lowercased())"
        let start = ContinuousClock.now
        // The same limits and hardening Gantry applies, so the two start the same container.
        let docker = try spawn([
            "docker", "run", "-d", "--name", name, "-p", "127.0.0.1:\(baselinePort):\(containerPort)", "--cpus", "0.5",
            "--memory", "64m", "--pids-limit", "512", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
            reference,
        ])
        guard await waitUntilAnswers("http://127.0.0.1:\(baselinePort)") else {
            throw BenchClient.Failure(description: "docker run baseline never answered")
        }
        let elapsed = (ContinuousClock.now - start).seconds
        docker.waitUntilExit()
        try shell(["docker", "rm", "-f", name])
        return elapsed
    }

    func spawn(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    func shell(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchClient.Failure(
                description: "\(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
    }
}

/// Launches `--count` instances and prints a token, for the list benchmark driven by wrk.
struct SeedInstances: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-instances", abstract: "Launch N instances and print an access token.")

    @Option var server = "http://127.0.0.1:8080"
    @Option var username = "admin"
    @Option var password: String
    @Option var reference = "gantry-test/httpd:latest"
    @Option var count = 100

    func run() async throws {
        var client = BenchClient(server: server)
        try await client.login(username: username, password: password)
        try await client.ensureImage(name: "bench-httpd", reference: reference, port: 8080)
        try await client.raiseQuota(instances: count + 100)
        for index in 0..<count {
            let (status, body) = try await client.call(
                .POST, "/api/v1/instances",
                json: ["name": "list-\(index)", "image": "bench-httpd", "cpu": 0.1, "memory_mb": 16])
            guard status == 202 else {
                throw BenchClient.Failure(description: "launch \(index) failed (\(status)): \(body)")
            }
        }
        // The list is measured at rest: with containers still being created, the figure would
        // be the engine's load, not the listing's.
        let deadline = ContinuousClock.now + .seconds(300)
        while true {
            let (_, page) = try await client.call(.GET, "/api/v1/instances?limit=500")
            let items = page["items"] as? [[String: Any]] ?? []
            let running = items.filter { $0["state"] as? String == "running" }.count
            if running >= count { break }
            guard ContinuousClock.now < deadline else {
                throw BenchClient.Failure(description: "only \(running) of \(count) instances running after 5 minutes")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        print(client.token ?? "")
    }
}

/// Terminates every instance the caller can see and waits until none holds a container.
struct CleanupInstances: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup", abstract: "Terminate all instances (after a benchmark).")

    @Option var server = "http://127.0.0.1:8080"
    @Option var username = "admin"
    @Option var password: String

    func run() async throws {
        var client = BenchClient(server: server)
        try await client.login(username: username, password: password)
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            let (_, page) = try await client.call(.GET, "/api/v1/instances?limit=500")
            let live = (page["items"] as? [[String: Any]] ?? []).filter {
                let state = $0["state"] as? String
                return state != "terminated" && state != "failed"
            }
            if live.isEmpty { return }
            for instance in live where instance["state"] as? String != "terminating" {
                if let id = instance["id"] as? String { _ = try await client.call(.DELETE, "/api/v1/instances/\(id)") }
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw BenchClient.Failure(description: "instances still live after 300 s")
    }
}
