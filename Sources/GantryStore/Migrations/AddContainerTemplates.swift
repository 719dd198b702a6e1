import FluentKit
import Foundation
import GantryCore

/// Version 5: every instance and session records its full container template (issue 11), so a
/// catalog edit never changes what an existing workload runs. Rows from before are backfilled
/// with what their container was built from then: the catalog image as it is now and the
/// installation's limits, passed in because they live in configuration.
struct AddContainerTemplates: AsyncMigration {
    let legacy: LegacyContainerDefaults

    func prepare(on database: any Database) async throws {
        // Nullable in SQL only so existing rows can be added to; the store always writes one
        // and refuses to read a row without one.
        try await database.schema(InstanceModel.schema).field("container_template", .string).update()
        try await database.schema(GPUSessionModel.schema).field("container_template", .string).update()

        let images = try await ImageModel.query(on: database).all().map { $0.domain() }
        for instance in try await InstanceModel.query(on: database).all() {
            guard let id = instance.id else { continue }
            let image =
                images.first { $0.name == instance.image }
                ?? CatalogImage(
                    name: instance.image, displayName: instance.image, reference: instance.imageReference,
                    port: instance.containerPort, description: "")
            var template = ContainerTemplate.forInstance(
                id: id, name: instance.name, image: image, pidsLimit: legacy.pidsLimit, hostBindIP: legacy.hostBindIP)
            // What the row says ran wins over the catalog's current entry.
            template.imageReference = instance.imageReference
            template.containerPort = instance.containerPort
            instance.containerTemplate = try StoredTemplate.encode(template)
            try await instance.update(on: database)
        }
        let usernames = Dictionary(
            try await UserModel.query(on: database).all().compactMap { user in user.id.map { ($0, user.username) } },
            uniquingKeysWith: { first, _ in first })
        for session in try await GPUSessionModel.query(on: database).all() {
            guard let id = session.id else { continue }
            let template = ContainerTemplate.forSession(
                id: id, name: session.name, ownerUsername: usernames[session.ownerID] ?? "user",
                imageReference: session.imageReference, workspacePath: session.workspacePath,
                posixUID: session.posixUID, network: legacy.sessionNetwork, gpuAttach: legacy.sessionGPUAttach,
                pidsLimit: legacy.pidsLimit)
            session.containerTemplate = try StoredTemplate.encode(template)
            try await session.update(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(InstanceModel.schema).deleteField("container_template").update()
        try await database.schema(GPUSessionModel.schema).deleteField("container_template").update()
    }
}
