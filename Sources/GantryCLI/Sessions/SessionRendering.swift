import Foundation
import GantryOpenAPI

/// How GPU sessions look to people: a table for lists, label/value lines for one, and the `ssh` command set
/// apart wherever someone is about to use it.
enum SessionRendering {
    static func table(_ sessions: [Components.Schemas.Session], now: Date) -> String {
        TableRenderer(columns: [
            .init("ID"), .init("NAME"), .init("USER"), .init("PROFILE"), .init("GPU UUID"), .init("STATUS"),
            .init("EXPIRES IN"), .init("NODE"),
        ]).render(
            sessions.map { session in
                [
                    Format.shortID(session.sessionId), session.name, session.sshUser, profile(session),
                    Format.orDash(session.gpuUuid), session.status.rawValue, expires(session, now: now),
                    Format.orDash(session.node),
                ]
            })
    }

    static func details(_ session: Components.Schemas.Session, now: Date) -> String {
        var status = session.status.rawValue
        if let reason = session.statusReason, !reason.isEmpty { status += " (\(reason))" }
        var gpuModel = Format.orDash(session.gpuModel)
        if let index = session.gpuIndex { gpuModel += " (GPU \(index))" }
        var expiry = Format.timestamp(session.expiresAt)
        if SessionReference.isLive(session.status) { expiry += " (\(Format.expiresIn(session.expiresAt, now: now)))" }
        var pairs: [(String, String)] = [
            ("ID", session.sessionId),
            ("Name", session.name),
            ("User", "\(session.sshUser) (\(session.ownerId))"),
            ("Status", status),
            ("Profile asked", session.migProfile),
            ("GPU", allocation(session)),
            ("GPU UUID", Format.orDash(session.gpuUuid)),
            ("GPU model", gpuModel),
            ("Node", Format.orDash(session.node)),
            ("Image", session.image),
            ("CPU", Format.cpu(session.cpu)),
            ("Memory (MB)", String(session.memoryMb)),
            ("SSH", session.sshCommand),
            ("Workspace", workspace(session)),
            ("Container", Format.orDash(String(session.containerId.prefix(12)))),
            ("Created", "\(Format.timestamp(session.createdAt)) (\(Format.age(of: session.createdAt, now: now)) ago)"),
            ("Expires", expiry),
        ]
        if let ended = session.endedAt { pairs.append(("Ended", Format.timestamp(ended))) }
        return DetailRenderer.render(pairs)
    }

    /// After `create`: what was given, and the command to copy on a line of its own.
    static func created(_ session: Components.Schemas.Session, now: Date) -> String {
        let summary =
            "Session \(session.name) (\(Format.shortID(session.sessionId))) is \(session.status.rawValue) "
            + "on \(Format.orDash(session.node)) for \(session.sshUser)\n"
        let details = DetailRenderer.render([
            ("GPU", allocation(session) + (session.gpuUuid.map { " \($0)" } ?? "")),
            ("Expires", "\(Format.timestamp(session.expiresAt)) (\(Format.expiresIn(session.expiresAt, now: now)))"),
            ("Workspace", workspace(session)),
        ])
        return summary + details + "\nConnect with:\n\n    \(session.sshCommand)\n\n"
    }

    /// After `extend`: the new expiry, absolute and relative.
    static func extended(_ session: Components.Schemas.Session, now: Date) -> String {
        "\(session.name) (\(Format.shortID(session.sessionId))) now expires at "
            + "\(Format.timestamp(session.expiresAt)) (\(Format.expiresIn(session.expiresAt, now: now)))\n"
    }

    /// After `rm`: the workspace outlives the session, which people worry about, so say so.
    static func ended(_ session: Components.Schemas.Session) -> String {
        "Ended session \(session.name) (\(Format.shortID(session.sessionId))); "
            + "its workspace \(session.workspace) is kept\n"
    }

    static func stats(_ stats: Components.Schemas.SessionStats) -> String {
        var output = "Sessions: \(stats.total) (\(stats.active) active)\n"
        output +=
            "GPU devices: \(stats.gpuDevicesTotal) total, \(stats.gpuDevicesAllocated) allocated, "
            + "\(stats.gpuDevicesFree) free\n\n"
        let counts = stats.byStatus.additionalProperties
        // Lifecycle order for the known states, then anything newer servers report, by name.
        let known = Components.Schemas.SessionStatus.allCases.map(\.rawValue)
        let statuses = known + counts.keys.filter { !known.contains($0) }.sorted()
        output += TableRenderer(columns: [.init("STATUS"), .init("SESSIONS", alignment: .right)])
            .render(statuses.map { [$0, String(counts[$0] ?? 0)] })
        if let byProfile = stats.byProfile?.additionalProperties, !byProfile.isEmpty {
            output += "\n"
            output += TableRenderer(columns: [.init("PROFILE"), .init("ACTIVE", alignment: .right)])
                .render(byProfile.keys.sorted().map { [$0, String(byProfile[$0] ?? 0)] })
        }
        return output
    }

    /// The PROFILE cell: the MIG profile held, `full` for a whole GPU, and which profile a fallback stands in for.
    static func profile(_ session: Components.Schemas.Session) -> String {
        switch session.gpuAllocation {
        case .none: "none"
        case .mig: session.gpuProfile ?? session.migProfile
        case .wholeGpu: "full"
        case .wholeGpuFallback: "full (for \(session.migProfile))"
        }
    }

    /// The allocation in words, for `show` and `create`.
    static func allocation(_ session: Components.Schemas.Session) -> String {
        switch session.gpuAllocation {
        case .none: "none"
        case .mig: "\(session.gpuProfile ?? session.migProfile) MIG device"
        case .wholeGpu: "whole GPU"
        case .wholeGpuFallback: "whole GPU (it has no MIG; \(session.migProfile) was asked for)"
        }
    }

    /// EXPIRES IN: time left while the session lives; afterwards only `expired` says something useful.
    static func expires(_ session: Components.Schemas.Session, now: Date) -> String {
        switch session.status {
        case .creating, .running: Format.expiresIn(session.expiresAt, now: now)
        case .expired: "expired"
        case .terminated, .failed: "-"
        }
    }

    private static func workspace(_ session: Components.Schemas.Session) -> String {
        session.workspace.isEmpty ? "-" : "\(session.workspace) (mounted at /workspace)"
    }
}
