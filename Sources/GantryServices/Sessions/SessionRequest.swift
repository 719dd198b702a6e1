import Foundation
import GantryCore

/// What `POST /api/v1/sessions` asks for, before defaults are applied.
public struct SessionRequest: Sendable, Equatable {
    /// Username or id; the caller when nil.
    public var user: String?
    public var migProfile: String
    public var ttlMinutes: Int?
    public var image: String?
    public var name: String?
    public var cpu: Double?
    public var memoryMB: Int?

    public init(
        user: String? = nil, migProfile: String, ttlMinutes: Int? = nil, image: String? = nil, name: String? = nil,
        cpu: Double? = nil, memoryMB: Int? = nil
    ) {
        self.user = user
        self.migProfile = migProfile
        self.ttlMinutes = ttlMinutes
        self.image = image
        self.name = name
        self.cpu = cpu
        self.memoryMB = memoryMB
    }
}

/// A session request with defaults applied and every field checked.
struct ValidatedSessionRequest: Sendable {
    var gpu: GPURequest
    var ttlMinutes: Int
    var name: String?
    var cpu: Double
    var memoryMB: Int

    init(_ request: SessionRequest, settings: SessionSettings) throws(GantryError) {
        gpu = try GPURequest.parse(request.migProfile)
        ttlMinutes = request.ttlMinutes ?? settings.defaultTTLMinutes
        guard (1...settings.maxTTLMinutes).contains(ttlMinutes) else {
            throw .invalid("ttl_minutes must be between 1 and \(settings.maxTTLMinutes)")
        }
        if let name = request.name, !Identifiers.isValidInstanceName(name) {
            throw .invalid("name must match ^[a-z0-9][a-z0-9-]{0,62}$")
        }
        name = request.name
        cpu = request.cpu ?? settings.defaultCPU
        guard cpu >= 0.1, cpu <= 1024, cpu.isFinite else { throw .invalid("cpu must be between 0.1 and 1024") }
        memoryMB = request.memoryMB ?? settings.defaultMemoryMB
        guard (64...4_194_304).contains(memoryMB) else { throw .invalid("memory_mb must be between 64 and 4194304") }
    }
}
