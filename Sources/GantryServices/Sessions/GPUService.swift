import Foundation
import GantryCore
import GantryPorts
import Logging

/// The GPU inventory: read from `nvidia-smi` on a schedule, stored per node, and shown with
/// which session holds each device.
public struct GPUService: Sendable {
    let store: any GPUInventoryStore & NodeStore & SessionStore & UserStore
    let source: any GPUInventorySource
    /// The node whose GPUs `source` reads (the host the server runs on).
    let localNode: String
    let logger: Logger

    public init(
        store: any GPUInventoryStore & NodeStore & SessionStore & UserStore, source: any GPUInventorySource,
        localNode: String, logger: Logger
    ) {
        self.store = store
        self.source = source
        self.localNode = localNode
        self.logger = logger
    }

    /// Reads the inventory, stores it and sets the node's GPU capacity to its device count.
    @discardableResult
    public func refresh(now: Date = Date()) async throws -> GPUInventory {
        let inventory = try await source.readInventory()
        let previous = try await store.gpuInventories().first { $0.node == localNode }
        try await store.saveGPUInventory(StoredGPUInventory(node: localNode, inventory: inventory, refreshedAt: now))
        if previous?.inventory != inventory {
            logger.info(
                "GPU inventory changed",
                metadata: [
                    "node": "\(localNode)", "gpus": "\(inventory.gpus.count)",
                    "mig_devices": "\(inventory.gpus.reduce(0) { $0 + $1.migDevices.count })",
                ])
        }
        let devices = SchedulableGPUDevice.devices(of: inventory, node: localNode).count
        if var node = try await store.node(name: localNode), node.capacity.gpus != devices {
            node.capacity.gpus = devices
            try await store.upsertNode(node)
        }
        return inventory
    }

    public struct Holder: Sendable, Equatable {
        public var sessionID: UUID?
        public var username: String?
        public var expiresAt: Date?
    }

    public struct DeviceView: Sendable, Equatable {
        public var device: MIGDevice
        public var holder: Holder?
    }

    public struct GPUView: Sendable, Equatable {
        public var node: String
        public var gpu: PhysicalGPU
        public var migDevices: [DeviceView]
        /// Set when the GPU is held whole.
        public var holder: Holder?
    }

    public struct Listing: Sendable, Equatable {
        public var gpus: [GPUView]
        public var refreshedAt: Date?
    }

    /// Every GPU with its holders. Admins and the holder see who holds a device; others see
    /// only that it is in use.
    public func list(by caller: Principal) async throws -> Listing {
        let holders = try await holdersByDevice(for: caller)
        let inventories = try await store.gpuInventories()
        let views = inventories.flatMap { stored in
            stored.inventory.gpus.map { gpu in
                GPUView(
                    node: stored.node, gpu: gpu,
                    migDevices: gpu.migDevices.map { DeviceView(device: $0, holder: holders[$0.uuid]) },
                    holder: gpu.migMode == .enabled ? nil : holders[gpu.uuid])
            }
        }
        return Listing(gpus: views, refreshedAt: inventories.map(\.refreshedAt).max())
    }

    private func holdersByDevice(for caller: Principal) async throws -> [String: Holder] {
        var result: [String: Holder] = [:]
        var names: [UUID: String] = [:]
        for session in try await store.activeSessions() {
            guard let uuid = session.gpu?.deviceUUID else { continue }
            guard caller.canAccess(ownerID: session.ownerID) else {
                result[uuid] = Holder()
                continue
            }
            if names[session.ownerID] == nil {
                names[session.ownerID] = try await store.user(id: session.ownerID)?.username
            }
            result[uuid] = Holder(sessionID: session.id, username: names[session.ownerID], expiresAt: session.expiresAt)
        }
        return result
    }

    public struct ProfileAvailability: Sendable, Equatable {
        public var profile: MIGProfile
        public var total: Int
        public var free: Int
    }

    public struct Profiles: Sendable, Equatable {
        public var profiles: [ProfileAvailability]
        public var wholeGPUsTotal: Int
        public var wholeGPUsFree: Int
    }

    /// Seed 001's table, then any other profile present, with device counts.
    public func profiles() async throws -> Profiles {
        let devices = try await store.gpuInventories().flatMap {
            SchedulableGPUDevice.devices(of: $0.inventory, node: $0.node)
        }
        let held = Set(try await store.activeSessions().compactMap(\.gpu?.deviceUUID))
        // The catalog opens with seed 001's five A100-40GB profiles.
        var names = MIGProfile.catalog.prefix(5).map(\.name)
        for device in devices where device.kind == .mig {
            if let profile = device.profile, !names.contains(profile) { names.append(profile) }
        }
        let rows = names.compactMap { name -> ProfileAvailability? in
            guard let profile = MIGProfile.named(name) ?? MIGProfile.parse(name: name) else { return nil }
            let matching = devices.filter { $0.kind == .mig && $0.profile == name }
            return ProfileAvailability(
                profile: profile, total: matching.count, free: matching.filter { !held.contains($0.uuid) }.count)
        }
        let whole = devices.filter { $0.kind == .wholeGPU }
        return Profiles(
            profiles: rows, wholeGPUsTotal: whole.count, wholeGPUsFree: whole.filter { !held.contains($0.uuid) }.count)
    }
}
