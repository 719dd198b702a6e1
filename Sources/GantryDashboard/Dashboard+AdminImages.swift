import Foundation
import GantryCore
import GantryEdge
import GantryPorts
import GantryServices
import HTTPTypes
import Hummingbird

struct ImageRowView: Sendable {
    var name: String
    var displayName: String
    var reference: String
    var port: Int
    var description: String?
    var created: TimeView
    var csrf: String
}

/// The "Add image" form's values and field errors.
struct NewImageDraft: Sendable {
    var name = ""
    var displayName = ""
    var reference = ""
    var port = "8080"
    var description = ""
    var nameError: String?
    var referenceError: String?
    var portError: String?
}

struct ImageListBody: Sendable {
    var rows: [ImageRowView]
    var totalText: String
    var pagination: PaginationView?
    var draft: NewImageDraft
    var error: String?
}

extension Dashboard {
    static let imagesPerPage = 50

    func registerAdminImages<Context: RequestContext>(on router: Router<Context>) {
        router.get("/dashboard/admin/images") { request, _ in
            try await self.signedIn(request) { request, viewer in try await self.imageList(request, viewer: viewer) }
        }
        router.post("/dashboard/admin/images") { request, context in
            try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.createImage(request, viewer: viewer, form: form)
            }
        }
        router.post("/dashboard/admin/images/{name}/delete") { request, context in
            let name = context.parameters.get("name") ?? ""
            return try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.deleteImage(name: name, request: request, viewer: viewer, form: form)
            }
        }
    }

    func imageList(_ request: Request, viewer: Viewer) async throws -> Response {
        try await imageListPage(request, viewer: viewer, draft: NewImageDraft(), error: nil, status: .ok)
    }

    func imageListPage(
        _ request: Request, viewer: Viewer, draft: NewImageDraft, error: String?, status: HTTPResponse.Status
    ) async throws -> Response {
        try await adminGate(viewer)
        let page = PageNumber(request)
        let listing = try await services.images.list(
            skip: page.skip(perPage: Self.imagesPerPage), limit: Self.imagesPerPage)
        let rows = listing.items.map {
            ImageRowView(
                name: $0.name, displayName: $0.displayName, reference: $0.reference, port: $0.port,
                description: $0.description.isEmpty ? nil : $0.description, created: TimeView($0.createdAt),
                csrf: viewer.csrf)
        }
        return try self.page(
            "images", title: "Images", section: .images, viewer: viewer, request: request,
            body: ImageListBody(
                rows: rows, totalText: listing.total == 1 ? "1 image" : "\(listing.total) images",
                pagination: PaginationView(
                    page: page, perPage: Self.imagesPerPage, total: listing.total, path: "/dashboard/admin/images",
                    query: [:]),
                draft: draft, error: error),
            status: status)
    }

    func createImage(_ request: Request, viewer: Viewer, form: FormFields) async throws -> Response {
        var draft = NewImageDraft(
            name: form.trimmed("name") ?? "", displayName: form.trimmed("display_name") ?? "",
            reference: form.trimmed("reference") ?? "", port: form.trimmed("port") ?? "",
            description: form.trimmed("description") ?? "")
        do {
            guard let port = Int(draft.port) else {
                draft.portError = "Enter the container port as a whole number between 1 and 65535."
                throw GantryError.invalid("port must be a whole number between 1 and 65535")
            }
            // The same mapping as the API: the display name defaults to the name.
            let image = try await services.images.create(
                CatalogImage(
                    name: draft.name, displayName: draft.displayName.isEmpty ? draft.name : draft.displayName,
                    reference: draft.reference, port: port, description: draft.description),
                by: viewer.principal)
            return redirect(
                to: "/dashboard/admin/images",
                flash: Flash(kind: .success, message: "Added \(image.name) to the catalog."))
        } catch let error as GantryError where error.kind != .forbidden && error.kind != .unauthorized {
            let message = error.detail.asSentence
            if draft.portError == nil {
                if error.code == "duplicate_name" || error.detail.hasPrefix("image name") {
                    draft.nameError = message
                } else if error.detail.hasPrefix("reference") {
                    draft.referenceError = message
                } else if error.detail.hasPrefix("port") {
                    draft.portError = message
                }
            }
            return try await imageListPage(
                request, viewer: viewer, draft: draft, error: message, status: ErrorMapping.status(for: error.kind))
        }
    }

    func deleteImage(name: String, request: Request, viewer: Viewer, form: FormFields) async throws -> Response {
        guard form["confirm"] == "yes" else {
            try await adminGate(viewer)
            let image = try await services.images.image(named: name)
            let encoded = image.name.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? image.name
            return try confirmPage(
                request, viewer: viewer, section: .images,
                body: ConfirmBody(
                    heading: "Delete image",
                    message:
                        "Delete \(image.name) (\(image.reference)) from the catalog? Nobody can launch it any more.",
                    action: "/dashboard/admin/images/\(encoded)/delete", confirmLabel: "Delete", danger: true,
                    cancelHref: "/dashboard/admin/images", fields: []))
        }
        try await services.images.delete(name: name, by: viewer.principal)
        return redirect(
            to: "/dashboard/admin/images", flash: Flash(kind: .success, message: "Deleted \(name) from the catalog."))
    }
}
