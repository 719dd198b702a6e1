import Foundation
import GantryOpenAPI
import Testing

@testable import GantryCLI

@Suite struct SessionRenderingTests {
    let now = SessionSamples.created.addingTimeInterval(18 * 60)

    @Test func tableShowsAllocationTimeLeftAndDashes() {
        let sessions = [
            SessionSamples.session(),
            SessionSamples.session(
                id: "2b3c4d5e-0000-4000-8000-000000000002", name: "big", user: "bob", migProfile: "7g.80gb",
                allocation: .wholeGpuFallback, gpuProfile: nil, gpuUUID: "GPU-aaaa", expiresAfter: 10),
            SessionSamples.session(
                id: "3c4d5e6f-0000-4000-8000-000000000003", name: "cpu", status: .terminated, migProfile: "none",
                allocation: .none, gpuProfile: nil, gpuUUID: nil),
        ]
        #expect(
            SessionRendering.table(sessions, now: now) == """
                ID         NAME    USER    PROFILE              GPU UUID                                   STATUS       EXPIRES IN   NODE
                1a2b3c4d   train   alice   3g.20gb              MIG-5c2d7a9e-1111-5222-8333-444444444444   running      in 42m       node-1
                2b3c4d5e   big     bob     full (for 7g.80gb)   GPU-aaaa                                   running      expired      node-1
                3c4d5e6f   cpu     alice   none                 -                                          terminated   -            node-1

                """)
    }

    @Test func expiresColumnFollowsTheStatus() {
        #expect(SessionRendering.expires(SessionSamples.session(status: .creating), now: now) == "in 42m")
        #expect(SessionRendering.expires(SessionSamples.session(status: .expired), now: now) == "expired")
        #expect(SessionRendering.expires(SessionSamples.session(status: .failed), now: now) == "-")
    }

    @Test func profileAndAllocationNameWhatWasGiven() {
        #expect(SessionRendering.profile(SessionSamples.session(allocation: .wholeGpu, gpuProfile: nil)) == "full")
        #expect(SessionRendering.allocation(SessionSamples.session()) == "3g.20gb MIG device")
        #expect(
            SessionRendering.allocation(SessionSamples.session(allocation: .wholeGpuFallback, gpuProfile: nil))
                == "whole GPU (it has no MIG; 3g.20gb was asked for)")
    }

    @Test func createdOutputEndsWithTheSSHCommandOnItsOwnLine() {
        let output = SessionRendering.created(SessionSamples.session(), now: SessionSamples.created)
        #expect(
            output == """
                Session train (1a2b3c4d) is running on node-1 for alice
                GPU:        3g.20gb MIG device MIG-5c2d7a9e-1111-5222-8333-444444444444
                Expires:    2025-01-01T01:00:00Z (in 1h)
                Workspace:  /srv/gantry/workspaces/alice (mounted at /workspace)

                Connect with:

                    ssh -p 2222 alice+train@gpu.example.org


                """)
    }

    @Test func detailsIncludeSSHWorkspaceAndReason() {
        let failed = SessionSamples.session(status: .failed, statusReason: "image not found")
        let details = SessionRendering.details(failed, now: now)
        #expect(details.contains("Status:         failed (image not found)\n"))
        #expect(details.contains("SSH:            ssh -p 2222 alice+train@gpu.example.org\n"))
        #expect(details.contains("Workspace:      /srv/gantry/workspaces/alice (mounted at /workspace)\n"))
        #expect(details.contains("Container:      0123456789ab\n"))
        // An ended session has no time left to show.
        #expect(details.contains("Expires:        2025-01-01T01:00:00Z\n"))
        let running = SessionRendering.details(SessionSamples.session(), now: now)
        #expect(running.contains("Expires:        2025-01-01T01:00:00Z (in 42m)\n"))
        #expect(running.contains("GPU model:      NVIDIA A100-SXM4-80GB (GPU 0)\n"))
    }

    @Test func extendedAndEndedSummaries() {
        #expect(
            SessionRendering.extended(SessionSamples.session(expiresAfter: 90), now: now)
                == "train (1a2b3c4d) now expires at 2025-01-01T01:30:00Z (in 1h 12m)\n")
        #expect(
            SessionRendering.ended(SessionSamples.session(status: .terminated))
                == "Ended session train (1a2b3c4d); its workspace /srv/gantry/workspaces/alice is kept\n")
    }

    @Test func statsListKnownStatesInLifecycleOrderThenProfiles() {
        let stats = Components.Schemas.SessionStats(
            total: 9, active: 3, byStatus: .init(additionalProperties: ["running": 3, "expired": 5, "paused": 1]),
            byProfile: .init(additionalProperties: ["3g.20gb": 2, "1g.10gb": 1]), gpuDevicesTotal: 7,
            gpuDevicesAllocated: 3, gpuDevicesFree: 4)
        #expect(
            SessionRendering.stats(stats) == """
                Sessions: 9 (3 active)
                GPU devices: 7 total, 3 allocated, 4 free

                STATUS       SESSIONS
                creating            0
                running             3
                expired             5
                terminated          0
                failed              0
                paused              1

                PROFILE   ACTIVE
                1g.10gb        1
                3g.20gb        2

                """)
    }
}
