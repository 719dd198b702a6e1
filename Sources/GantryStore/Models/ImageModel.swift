import FluentKit
import Foundation
import GantryCore

final class ImageModel: Model, @unchecked Sendable {
    static let schema = "images"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "reference") var reference: String
    @Field(key: "port") var port: Int
    @Field(key: "description") var description: String
    /// JSON array of strings, or nil for the image's own default command.
    @OptionalField(key: "command_json") var commandJSON: String?
    /// JSON array of capability names.
    @Field(key: "capabilities_json") var capabilitiesJSON: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(_ image: CatalogImage) {
        id = UUID()
        name = image.name
        displayName = image.displayName
        reference = image.reference
        port = image.port
        description = image.description
        commandJSON = image.command.flatMap(JSONColumn.encode)
        capabilitiesJSON = JSONColumn.encode(image.capabilities) ?? "[]"
        createdAt = image.createdAt
    }

    func domain() -> CatalogImage {
        CatalogImage(
            name: name, displayName: displayName, reference: reference, port: port, description: description,
            command: commandJSON.flatMap { JSONColumn.decode([String].self, from: $0) },
            capabilities: JSONColumn.decode([String].self, from: capabilitiesJSON) ?? [], createdAt: createdAt)
    }
}
