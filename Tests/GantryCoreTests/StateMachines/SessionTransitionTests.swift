import Foundation
import GantryCore
import Testing

@Suite struct SessionTransitionTests {
    typealias F = WorkloadFixtures
    static let at = Date(timeIntervalSince1970: 1_700_000_900)
    static let ttlEnd = Date(timeIntervalSince1970: 1_700_000_600)

    struct Rule: Sendable, CustomTestStringConvertible {
        var event: SessionEvent
        var from: [SessionState]
        var to: SessionState
        var reason: String
        var desired: WorkloadDesiredState?
        var testDescription: String { "\(event)" }
    }

    static let rules: [Rule] = [
        Rule(event: .containerRunning, from: [.creating], to: .running, reason: "running"),
        Rule(
            event: .expired(ttlEnd: ttlEnd), from: [.running], to: .expired,
            reason: "TTL reached at 2023-11-14 22:23:20 +0000", desired: .absent),
        Rule(
            event: .terminated(by: "bob"), from: [.creating, .running], to: .terminated, reason: "deleted by bob",
            desired: .absent),
        Rule(
            event: .failed(reason: "container exited with exit code 1"), from: [.creating, .running], to: .failed,
            reason: "container exited with exit code 1"),
        Rule(event: .creationTimedOut, from: [.creating], to: .failed, reason: "creation did not finish"),
    ]

    @Test(arguments: rules)
    func allowedMoves(rule: Rule) throws {
        for state in rule.from {
            #expect(
                try state.transition(on: rule.event, at: Self.at)
                    == StateTransition(
                        from: state, to: rule.to, reason: rule.reason, at: Self.at, desired: rule.desired))
            #expect(state.canTransition(to: rule.to))
        }
    }

    @Test(arguments: rules)
    func refusedMoves(rule: Rule) {
        for state in SessionState.allCases where !rule.from.contains(state) {
            #expect(throws: TransitionError(kind: .session, state: state.rawValue, action: rule.event.action)) {
                try state.transition(on: rule.event, at: Self.at)
            }
        }
    }

    @Test func refusalsReadLikeTheAPISaysThem() throws {
        let error = try #require(
            throws: TransitionError.self,
            performing: { try SessionState.expired.transition(on: .terminated(by: "a"), at: Self.at) })
        #expect(error.description == "cannot end a session that is expired")
        let creating = try #require(
            throws: TransitionError.self,
            performing: { try SessionState.creating.transition(on: .expired(ttlEnd: Self.ttlEnd), at: Self.at) })
        #expect(creating.description == "cannot expire a session that is creating")
    }

    @Test func runningShowsNoReason() throws {
        let session = F.session(state: .creating)
        let next = session.applying(try session.state.transition(on: .containerRunning, at: Self.at))
        #expect(next.state == .running && next.stateReason == nil)
        #expect(next.updatedAt == Self.at && next.endedAt == nil)
        #expect(next.containerID == "c-session")
    }

    @Test(arguments: [
        SessionEvent.expired(ttlEnd: ttlEnd), .terminated(by: "bob"), .failed(reason: "container disappeared"),
    ])
    func everyEndSetsEndedAt(event: SessionEvent) throws {
        let session = F.session(state: .running)
        let transition = try session.state.transition(on: event, at: Self.at)
        let next = session.applying(transition)
        #expect(next.state == transition.to && !next.state.isActive)
        #expect(next.stateReason == transition.reason)
        #expect(next.endedAt == Self.at && next.updatedAt == Self.at)
        #expect(next.expiresAt == session.expiresAt && next.gpu == session.gpu)
    }

    @Test func aStuckCreationFails() throws {
        let session = F.session(state: .creating, containerID: nil)
        let next = session.applying(try session.state.transition(on: .creationTimedOut, at: Self.at))
        #expect(next.state == .failed && next.stateReason == "creation did not finish" && next.endedAt == Self.at)
    }
}
