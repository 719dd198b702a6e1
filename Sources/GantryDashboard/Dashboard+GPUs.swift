import Foundation
import GantryCore
import GantryEdge
import GantryServices
import Hummingbird

/// Who holds a device, as this viewer may see it: a name and session link for admins and the
/// holder, "in use" for everyone else.
struct GPUHolderView: Sendable {
    var text: String
    var href: String?
    var expires: TimeView?
}

struct MIGSlotView: Sendable {
    var profile: String
    var uuid: String
    var memory: String
    var isHeld: Bool
    var holder: GPUHolderView?
}

struct GPUCardView: Sendable {
    var key: String
    var node: String
    var index: Int
    var model: String
    var memory: String
    var migMode: String
    var migTone: String
    var uuid: String
    var isMIG: Bool
    var slots: [MIGSlotView]
    var noSlots: Bool
    var slotsSummary: String
    var whole: GPUHolderView?
    var wholeFree: Bool
}

struct ProfileRowView: Sendable {
    var profile: String
    var slices: String
    var memory: String
    var free: Int
    var total: Int
    var tone: String
}

struct GPUsBody: Sendable {
    var gpus: [GPUCardView]
    var profiles: [ProfileRowView]
    var wholeFree: Int
    var wholeTotal: Int
    var wholeTone: String
    var refreshed: TimeView?
    var gpuCount: Int
}

extension Dashboard {
    func registerGPUs<Context: RequestContext>(on router: Router<Context>) {
        router.get("/dashboard/gpus") { request, _ in
            try await self.signedIn(request) { request, viewer in try await self.gpuPage(request, viewer: viewer) }
        }
    }

    func gpuPage(_ request: Request, viewer: Viewer) async throws -> Response {
        let listing = try await services.gpus.list(by: viewer.principal)
        let availability = try await services.gpus.profiles()
        let cards = listing.gpus.map(gpuCard)
        let profiles = availability.profiles.map { row in
            ProfileRowView(
                profile: row.profile.name, slices: "\(row.profile.computeSlices)/\(row.profile.totalSlices)",
                memory: "\(row.profile.memoryGB) GB", free: row.free, total: row.total,
                tone: row.free > 0 ? "badge-ok" : "badge-muted")
        }
        return try page(
            "gpus", title: "GPUs", section: .gpus, viewer: viewer, request: request,
            body: GPUsBody(
                gpus: cards, profiles: profiles, wholeFree: availability.wholeGPUsFree,
                wholeTotal: availability.wholeGPUsTotal,
                wholeTone: availability.wholeGPUsFree > 0 ? "badge-ok" : "badge-muted",
                refreshed: TimeView(listing.refreshedAt), gpuCount: cards.count))
    }

    func gpuCard(_ view: GPUService.GPUView) -> GPUCardView {
        let slots = view.migDevices.map { device in
            MIGSlotView(
                profile: device.device.profile, uuid: device.device.uuid,
                memory: DisplayFormat.memory(mb: device.device.memoryMB), isHeld: device.holder != nil,
                holder: device.holder.map(Self.holderView))
        }
        let held = slots.filter(\.isHeld).count
        let isMIG = view.gpu.migMode == .enabled
        return GPUCardView(
            key: "\(view.node)-\(view.gpu.index)", node: view.node, index: view.gpu.index, model: view.gpu.model,
            memory: DisplayFormat.memory(mb: view.gpu.memoryMB), migMode: "MIG \(view.gpu.migMode.rawValue)",
            migTone: isMIG ? "badge-info" : "badge-muted", uuid: view.gpu.uuid, isMIG: isMIG, slots: slots,
            noSlots: isMIG && slots.isEmpty,
            slotsSummary: "\(slots.count - held) of \(slots.count) MIG devices free",
            whole: isMIG ? nil : view.holder.map(Self.holderView), wholeFree: !isMIG && view.holder == nil)
    }

    static func holderView(_ holder: GPUService.Holder) -> GPUHolderView {
        guard let id = holder.sessionID else { return GPUHolderView(text: "in use") }
        return GPUHolderView(
            text: holder.username ?? "in use", href: "\(sessionsPath)#session-\(id.uuidString.lowercased())",
            expires: TimeView(holder.expiresAt))
    }
}
