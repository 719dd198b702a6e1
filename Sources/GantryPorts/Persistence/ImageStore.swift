import Foundation
import GantryCore

public protocol ImageStore: Sendable {
    func listImages() async throws -> [CatalogImage]
    func image(name: String) async throws -> CatalogImage?
    /// Throws `StoreError.duplicate(field: "name")`.
    func createImage(_ image: CatalogImage) async throws
    func deleteImage(name: String) async throws -> Bool
}
