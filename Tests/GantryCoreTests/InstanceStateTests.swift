import Foundation
import GantryCore
import Testing

@Suite struct InstanceStateTests {
    @Test func followsTheDesignStateMachine() {
        #expect(InstanceState.pending.canTransition(to: .running))
        #expect(InstanceState.running.canTransition(to: .stopping))
        #expect(InstanceState.stopping.canTransition(to: .stopped))
        #expect(InstanceState.stopped.canTransition(to: .pending))
        for state in InstanceState.allCases where state != .terminated && state != .terminating {
            #expect(state.canTransition(to: .terminating), "\(state) → terminating")
        }
        #expect(InstanceState.terminating.canTransition(to: .terminated))
        #expect(InstanceState.running.canTransition(to: .failed))
    }

    @Test func refusesTransitionsOutsideTheMachine() {
        #expect(!InstanceState.terminated.canTransition(to: .pending))
        #expect(!InstanceState.terminated.canTransition(to: .terminating))
        #expect(!InstanceState.stopped.canTransition(to: .running))
        #expect(!InstanceState.failed.canTransition(to: .running))
        #expect(!InstanceState.terminating.canTransition(to: .running))
    }

    @Test func onlyLiveStatesHoldResources() {
        #expect(
            InstanceState.allCases.filter(\.holdsResources).sorted { $0.rawValue < $1.rawValue } == [
                .pending, .running, .stopped, .stopping, .terminating,
            ])
    }

    @Test func endpointIsShownWhileThePortIsHeld() {
        var instance = Instance(
            name: "web", ownerID: .init(), image: "nginx", imageReference: "nginx:1", containerPort: 80, cpu: 1,
            memoryMB: 256, node: "local", hostIP: "10.0.0.5", hostPort: 8001,
            template: ContainerTemplate(containerName: "gantry-web-1", imageReference: "nginx:1", pidsLimit: 512))
        #expect(instance.endpoint == "http://10.0.0.5:8001")
        instance.hostIP = "fd00::1"
        #expect(instance.endpoint == "http://[fd00::1]:8001")
        instance.state = .terminated
        #expect(instance.endpoint == nil)
    }

    @Test func launchRequestValidation() {
        #expect(throws: GantryError.self) {
            try LaunchRequest(name: "Bad", image: "x", cpu: 1, memoryMB: 64).validate()
        }
        #expect(throws: GantryError.self) {
            try LaunchRequest(name: "ok", image: "x", cpu: 0.05, memoryMB: 64).validate()
        }
        #expect(throws: GantryError.self) {
            try LaunchRequest(name: "ok", image: "x", cpu: .nan, memoryMB: 64).validate()
        }
        #expect(throws: GantryError.self) { try LaunchRequest(name: "ok", image: "x", cpu: 1, memoryMB: 4).validate() }
        #expect(throws: Never.self) { try LaunchRequest(name: "ok", image: "x", cpu: 0.1, memoryMB: 16).validate() }
    }
}
