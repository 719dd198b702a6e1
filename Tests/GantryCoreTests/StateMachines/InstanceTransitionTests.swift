import Foundation
import GantryCore
import Testing

@Suite struct InstanceTransitionTests {
    typealias F = WorkloadFixtures
    static let at = Date(timeIntervalSince1970: 1_700_000_300)

    /// One event and every state it is allowed from, with what it leads to.
    struct Rule: Sendable, CustomTestStringConvertible {
        var event: InstanceEvent
        var from: [InstanceState]
        var to: InstanceState
        var reason: String
        var desired: WorkloadDesiredState?
        var testDescription: String { "\(event)" }
    }

    static let rules: [Rule] = [
        Rule(
            event: .stopRequested(by: "alice"), from: [.pending, .running], to: .stopping,
            reason: "stop requested by alice", desired: .stopped),
        Rule(
            event: .startRequested(by: "alice"), from: [.stopped], to: .pending, reason: "start requested by alice",
            desired: .running),
        Rule(
            event: .terminateRequested(by: "alice"), from: [.pending, .running, .stopping, .stopped, .failed],
            to: .terminating, reason: "terminate requested by alice", desired: .absent),
        Rule(event: .containerStarted, from: [.pending], to: .running, reason: "running"),
        Rule(event: .stopped(), from: [.pending, .running, .stopping], to: .stopped, reason: "stopped"),
        Rule(
            event: .exitedUnexpectedly(exitCode: 137), from: [.running], to: .stopped,
            reason: "container exited unexpectedly with code 137", desired: .stopped),
        Rule(
            event: .exitedUnexpectedly(exitCode: nil), from: [.running], to: .stopped,
            reason: "container exited unexpectedly", desired: .stopped),
        Rule(
            event: .terminated(), from: [.pending, .running, .stopping, .stopped, .terminating, .failed],
            to: .terminated, reason: "terminated"),
        Rule(
            event: .terminated(reason: "terminated; node 'gpu-2' is gone"), from: [.terminating], to: .terminated,
            reason: "terminated; node 'gpu-2' is gone"),
        Rule(
            event: .failed(reason: "container was removed outside Gantry"),
            from: [.pending, .running, .stopping, .stopped, .terminating], to: .failed,
            reason: "container was removed outside Gantry"),
    ]

    @Test(arguments: rules)
    func allowedMoves(rule: Rule) throws {
        for state in rule.from {
            let transition = try state.transition(on: rule.event, at: Self.at)
            #expect(
                transition
                    == StateTransition(
                        from: state, to: rule.to, reason: rule.reason, at: Self.at, desired: rule.desired))
            #expect(state.canTransition(to: rule.to), "\(state) → \(rule.to)")
        }
    }

    @Test(arguments: rules)
    func refusedMoves(rule: Rule) {
        // Rules for the same event with other arguments share their sources, so this is exhaustive.
        for state in InstanceState.allCases where !rule.from.contains(state) {
            if case .terminated = rule.event, state != .terminated { continue }
            #expect(throws: TransitionError(kind: .instance, state: state.rawValue, action: rule.event.action)) {
                try state.transition(on: rule.event, at: Self.at)
            }
        }
    }

    @Test func refusalsReadLikeTheAPISaysThem() {
        func message(_ state: InstanceState, _ event: InstanceEvent) -> String? {
            do {
                _ = try state.transition(on: event, at: Self.at)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(message(.stopped, .stopRequested(by: "a")) == "cannot stop an instance that is stopped")
        #expect(message(.running, .startRequested(by: "a")) == "cannot start an instance that is running")
        #expect(
            message(.terminating, .terminateRequested(by: "a")) == "cannot terminate an instance that is terminating")
        #expect(message(.terminated, .terminateRequested(by: "a")) == "cannot terminate an instance that is terminated")
        #expect(message(.stopped, .containerStarted) == "cannot record as running an instance that is stopped")
        #expect(message(.terminated, .failed(reason: "x")) == "cannot fail an instance that is terminated")
    }

    @Test func terminatedIsFinal() {
        for state in InstanceState.allCases {
            #expect(!InstanceState.terminated.canTransition(to: state))
        }
    }

    @Test func aStopRequestKeepsTheContainerAndPort() throws {
        let instance = F.instance(state: .running)
        let next = instance.applying(try instance.state.transition(on: .stopRequested(by: "alice"), at: Self.at))
        #expect(next.state == .stopping && next.desiredState == .stopped)
        #expect(next.stateReason == "stop requested by alice")
        #expect(next.stateChangedAt == Self.at && next.updatedAt == Self.at)
        #expect(next.containerID == "c-instance" && next.hostPort == 8001)
        #expect(next.createdAt == instance.createdAt)
    }

    @Test func aStartRequestWantsItRunning() throws {
        let instance = F.instance(state: .stopped, desired: .stopped)
        let next = instance.applying(try instance.state.transition(on: .startRequested(by: "bob"), at: Self.at))
        #expect(next.state == .pending && next.desiredState == .running && next.hostPort == 8001)
    }

    @Test func aTerminateRequestHoldsResourcesUntilTerminated() throws {
        let instance = F.instance(state: .running)
        let terminating = instance.applying(
            try instance.state.transition(on: .terminateRequested(by: "alice"), at: Self.at))
        #expect(terminating.state == .terminating && terminating.desiredState == .terminated)
        #expect(terminating.hostPort == 8001 && terminating.containerID == "c-instance")
        let later = Self.at.addingTimeInterval(5)
        let terminated = terminating.applying(try terminating.state.transition(on: .terminated(), at: later))
        #expect(terminated.state == .terminated && terminated.desiredState == .terminated)
        #expect(terminated.hostPort == nil && terminated.containerID == nil)
        #expect(terminated.stateReason == "terminated" && terminated.stateChangedAt == later)
    }

    @Test func anUnexpectedExitLeavesItStopped() throws {
        let instance = F.instance(state: .running, desired: .running)
        let next = instance.applying(try instance.state.transition(on: .exitedUnexpectedly(exitCode: 0), at: Self.at))
        #expect(next.state == .stopped && next.desiredState == .stopped)
        #expect(next.stateReason == "container exited unexpectedly with code 0")
        #expect(next.hostPort == 8001 && next.containerID == "c-instance")
    }

    @Test func failingReleasesThePortAndTheContainer() throws {
        let instance = F.instance(state: .pending)
        let next = instance.applying(try instance.state.transition(on: .failed(reason: "no host port"), at: Self.at))
        #expect(next.state == .failed && next.desiredState == .running)
        #expect(next.hostPort == nil && next.containerID == nil && next.endpoint == nil)
    }

    @Test func reconcilerEventsLeaveTheDesiredStateAlone() throws {
        let pending = F.instance(state: .pending, desired: .running)
        #expect(
            pending.applying(try pending.state.transition(on: .containerStarted, at: Self.at)).desiredState == .running)
        let stopping = F.instance(state: .stopping, desired: .stopped)
        let stopped = stopping.applying(try stopping.state.transition(on: .stopped(), at: Self.at))
        #expect(stopped.desiredState == .stopped && stopped.stateReason == "stopped" && stopped.hostPort == 8001)
    }
}
