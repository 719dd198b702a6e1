import GantryCore
import GantryPorts
import Logging

/// The admin-managed image catalog.
public struct ImageService: Sendable {
    let store: any ImageStore & SettingsStore
    let logger: Logger

    public init(store: any ImageStore & SettingsStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Adds seed 000's catalog the first time an installation starts; later deletions stick.
    public func seedCatalogOnce() async throws {
        guard try await store.setting("catalog_seeded") == nil else { return }
        for image in CatalogImage.seedCatalog where try await store.image(name: image.name) == nil {
            do { try await store.createImage(image) } catch StoreError.duplicate {}
        }
        try await store.setSetting("catalog_seeded", value: "true")
    }

    public func list(skip: Int, limit: Int) async throws -> Page<CatalogImage> {
        let window = try PageWindow(skip: skip, limit: limit)
        return Page(slicing: try await store.listImages(), window: window)
    }

    public func image(named name: String) async throws -> CatalogImage {
        guard let image = try await store.image(name: name) else { throw GantryError.notFound("image '\(name)'") }
        return image
    }

    public func create(_ image: CatalogImage, by caller: Principal) async throws -> CatalogImage {
        try caller.requireAdmin()
        try image.validate()
        do {
            try await store.createImage(image)
        } catch {
            throw mapStoreError(error) { _ in
                GantryError(.conflict, code: "duplicate_name", detail: "an image named '\(image.name)' already exists")
            }
        }
        logger.info("image added to catalog", metadata: ["image": "\(image.name)", "reference": "\(image.reference)"])
        return image
    }

    public func delete(name: String, by caller: Principal) async throws {
        try caller.requireAdmin()
        guard try await store.deleteImage(name: name) else { throw GantryError.notFound("image '\(name)'") }
        logger.info("image removed from catalog", metadata: ["image": "\(name)"])
    }
}
