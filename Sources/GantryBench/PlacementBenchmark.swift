import ArgumentParser
import Foundation
import GantryCore

/// 10,000 placements onto 1,000 nodes in memory. Baseline: the same loop that only scans the
/// nodes for the first fit, the floor any placement policy pays.
struct PlacementBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "placement", abstract: "Placement policy throughput, in memory.")

    @Option(help: "Nodes in the cluster.") var nodes = 1000
    @Option(help: "Placements to make.") var placements = 10_000

    func run() async throws {
        let request = ResourceAmount(instances: 1, cpu: 0.5, memoryMB: 512)
        func cluster() -> [NodeLoad] {
            (0..<nodes).map { index in
                NodeLoad(
                    name: String(format: "node-%05d", index), status: .online,
                    capacity: NodeCapacity(cpu: 64, memoryMB: 262_144),
                    allocated: NodeCapacity(cpu: Double(index % 17), memoryMB: (index % 23) * 1024), freePorts: 1000)
            }
        }

        var loads = cluster()
        let indexByName = Dictionary(uniqueKeysWithValues: loads.enumerated().map { ($1.name, $0) })
        let start = ContinuousClock.now
        var placed = 0
        for _ in 0..<placements {
            guard case .placed(let name) = PlacementPolicy.place(request, on: loads), let index = indexByName[name]
            else { continue }
            loads[index].allocated.cpu += request.cpu
            loads[index].allocated.memoryMB += request.memoryMB
            placed += 1
        }
        let policy = ContinuousClock.now - start

        var baselineLoads = cluster()
        let baselineStart = ContinuousClock.now
        for _ in 0..<placements {
            guard let index = baselineLoads.firstIndex(where: { $0.free.cpu >= request.cpu }) else { continue }
            baselineLoads[index].allocated.cpu += request.cpu
        }
        let baseline = ContinuousClock.now - baselineStart

        let rate = Double(placements) / policy.seconds
        let baselineRate = Double(placements) / baseline.seconds
        print("placement: \(placed)/\(placements) placements onto \(nodes) nodes")
        print(
            String(
                format:
                    "placement: %.0f placements/s (target >= 50000)   baseline first-fit scan: %.0f/s   ratio %.2fx",
                rate, baselineRate, baselineRate / rate))
    }
}
