import Foundation
import GantryCore
import Testing

@Suite struct PlacementPolicyTests {
    func node(
        _ name: String, cpu: Double, memory: Int, usedCPU: Double = 0, usedMemory: Int = 0, ports: Int = 100,
        status: NodeStatus = .online, gpus: Int = 0
    ) -> NodeLoad {
        NodeLoad(
            name: name, status: status, capacity: NodeCapacity(cpu: cpu, memoryMB: memory, gpus: gpus),
            allocated: NodeCapacity(cpu: usedCPU, memoryMB: usedMemory), freePorts: ports)
    }

    let small = ResourceAmount(instances: 1, cpu: 1, memoryMB: 1024)

    @Test func picksTheNodeWithTheMostFreeCapacity() {
        let nodes = [
            node("a", cpu: 8, memory: 16384, usedCPU: 6, usedMemory: 12000),
            node("b", cpu: 8, memory: 16384, usedCPU: 1, usedMemory: 1000),
            node("c", cpu: 8, memory: 16384, usedCPU: 4, usedMemory: 8000),
        ]
        #expect(PlacementPolicy.place(small, on: nodes) == .placed(node: "b"))
    }

    @Test func comparesFreeFractionsSoBigNodesDoNotAlwaysWin() {
        // "big" has more free cores in absolute terms but is 90 % used; "small" is empty.
        let nodes = [
            node("big", cpu: 64, memory: 262_144, usedCPU: 58, usedMemory: 236_000),
            node("small", cpu: 4, memory: 8192),
        ]
        #expect(PlacementPolicy.place(small, on: nodes) == .placed(node: "small"))
    }

    @Test func skipsNodesThatDoNotFitOrAreNotOnline() {
        let nodes = [
            node("full", cpu: 4, memory: 8192, usedCPU: 3.5, usedMemory: 0),
            node("offline", cpu: 64, memory: 262_144, status: .offline),
            node("draining", cpu: 64, memory: 262_144, status: .draining),
            node("ok", cpu: 2, memory: 2048),
        ]
        #expect(PlacementPolicy.place(small, on: nodes) == .placed(node: "ok"))
    }

    @Test func tiesGoToTheFirstNameForDeterminism() {
        let nodes = [node("b", cpu: 4, memory: 4096), node("a", cpu: 4, memory: 4096)]
        #expect(PlacementPolicy.place(small, on: nodes) == .placed(node: "a"))
    }

    @Test func explainsNodeByNodeWhatIsShort() {
        let nodes = [
            node("cpu-bound", cpu: 4, memory: 65536, usedCPU: 3.5),
            node("memory-bound", cpu: 32, memory: 2048, usedMemory: 1536),
            node("no-ports", cpu: 32, memory: 65536, ports: 0),
            node("down", cpu: 32, memory: 65536, status: .offline),
            node("no-gpu", cpu: 32, memory: 65536),
        ]
        let request = ResourceAmount(instances: 1, cpu: 2, memoryMB: 1024, gpus: 1)
        guard case .unschedulable(let shortfalls) = PlacementPolicy.place(request, on: nodes) else {
            Issue.record("expected unschedulable")
            return
        }
        let byNode = Dictionary(uniqueKeysWithValues: shortfalls.map { ($0.node, $0.reasons.joined(separator: "; ")) })
        #expect(byNode.count == 5)
        #expect(byNode["cpu-bound"]?.contains("CPU: 2 requested, 0.5 of 4 free") == true)
        #expect(byNode["memory-bound"]?.contains("memory: 1024 MB requested, 512 of 2048 MB free") == true)
        #expect(byNode["no-ports"]?.contains("ports") == true)
        #expect(byNode["down"]?.contains("node is offline") == true)
        #expect(byNode["no-gpu"]?.contains("GPU: 1 requested, 0 of 0 free") == true)
    }

    @Test func noNodesIsExplainedToo() {
        guard case .unschedulable(let shortfalls) = PlacementPolicy.place(small, on: []) else {
            Issue.record("expected unschedulable")
            return
        }
        #expect(shortfalls.first?.reasons == ["no nodes are registered"])
    }

    @Test func spreadsAcrossManyNodesAsTheyFill() {
        // 1,000 identical nodes, 1,000 placements: least-loaded placement spreads one per node.
        var nodes = (0..<1000).map { node(String(format: "node-%04d", $0), cpu: 16, memory: 65536) }
        var counts: [String: Int] = [:]
        for _ in 0..<1000 {
            guard case .placed(let name) = PlacementPolicy.place(small, on: nodes),
                let index = nodes.firstIndex(where: { $0.name == name })
            else {
                Issue.record("placement failed")
                return
            }
            nodes[index].allocated.cpu += small.cpu
            nodes[index].allocated.memoryMB += small.memoryMB
            counts[name, default: 0] += 1
        }
        #expect(counts.count == 1000)
        #expect(counts.values.allSatisfy { $0 == 1 })
    }

    @Test func exactFitIsAccepted() {
        let nodes = [node("a", cpu: 2, memory: 2048, usedCPU: 1, usedMemory: 1024)]
        #expect(PlacementPolicy.place(small, on: nodes) == .placed(node: "a"))
    }
}
