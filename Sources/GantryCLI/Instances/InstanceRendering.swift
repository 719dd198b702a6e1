import Foundation
import GantryOpenAPI

/// How instances look to people: a table for lists, label/value lines for one.
enum InstanceRendering {
    static func table(_ instances: [Components.Schemas.Instance], now: Date) -> String {
        let renderer = TableRenderer(columns: [
            .init("ID"), .init("NAME"), .init("IMAGE"), .init("STATE"),
            .init("CPU", alignment: .right), .init("MEM(MB)", alignment: .right), .init("GPUS", alignment: .right),
            .init("NODE"), .init("ENDPOINT"), .init("AGE", alignment: .right),
        ])
        return renderer.render(
            instances.map { instance in
                [
                    Format.shortID(instance.id), instance.name, instance.image, instance.state.rawValue,
                    Format.cpu(instance.cpu), String(instance.memoryMb), String(instance.gpus),
                    Format.orDash(instance.node), Format.orDash(instance.endpoint),
                    Format.age(of: instance.createdAt, now: now),
                ]
            })
    }

    static func details(_ instance: Components.Schemas.Instance, now: Date) -> String {
        var state = instance.state.rawValue
        if let reason = instance.stateReason, !reason.isEmpty { state += " (\(reason))" }
        let port = instance.hostPort.map(String.init) ?? "-"
        let age = Format.age(of: instance.createdAt, now: now)
        return DetailRenderer.render([
            ("ID", instance.id),
            ("Name", instance.name),
            ("Image", "\(instance.image) (\(instance.imageReference))"),
            ("State", state),
            ("Desired state", instance.desiredState.rawValue),
            ("CPU", Format.cpu(instance.cpu)),
            ("Memory (MB)", String(instance.memoryMb)),
            ("GPUs", String(instance.gpus)),
            ("Node", Format.orDash(instance.node)),
            ("Host", "\(Format.orDash(instance.hostIp)):\(port)"),
            ("Endpoint", Format.orDash(instance.endpoint)),
            ("Container", Format.orDash(instance.containerId.map { String($0.prefix(12)) })),
            ("Owner", instance.ownerId),
            ("Created", "\(Format.timestamp(instance.createdAt)) (\(age) ago)"),
            ("State changed", Format.timestamp(instance.stateChangedAt)),
        ])
    }

    /// One line after an action, e.g. `web (1a2b3c4d) is stopping`.
    static func summary(_ instance: Components.Schemas.Instance) -> String {
        "\(instance.name) (\(Format.shortID(instance.id))) is \(instance.state.rawValue)\n"
    }
}
