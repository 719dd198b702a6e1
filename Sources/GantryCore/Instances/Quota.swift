/// What a user may hold at once.
public struct QuotaLimits: Sendable, Equatable, Codable {
    public var instances: Int
    public var cpu: Double
    public var memoryMB: Int
    public var gpus: Int

    public init(instances: Int, cpu: Double, memoryMB: Int, gpus: Int = 0) {
        self.instances = instances
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.gpus = gpus
    }

    /// Seed 000: 5 instances, 16 CPU cores, 32 GB memory.
    public static let seedDefault = QuotaLimits(instances: 5, cpu: 16, memoryMB: 32 * 1024, gpus: 0)
}

/// Per-user overrides of the default limits; `nil` means "use the default".
public struct QuotaOverride: Sendable, Equatable, Codable {
    public var instances: Int?
    public var cpu: Double?
    public var memoryMB: Int?
    public var gpus: Int?

    public init(instances: Int? = nil, cpu: Double? = nil, memoryMB: Int? = nil, gpus: Int? = nil) {
        self.instances = instances
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.gpus = gpus
    }

    public func applied(to defaults: QuotaLimits) -> QuotaLimits {
        QuotaLimits(
            instances: instances ?? defaults.instances, cpu: cpu ?? defaults.cpu,
            memoryMB: memoryMB ?? defaults.memoryMB, gpus: gpus ?? defaults.gpus)
    }
}

/// What a user holds now, or what one launch asks for.
public struct ResourceAmount: Sendable, Equatable, Codable {
    public var instances: Int
    public var cpu: Double
    public var memoryMB: Int
    public var gpus: Int

    public init(instances: Int = 0, cpu: Double = 0, memoryMB: Int = 0, gpus: Int = 0) {
        self.instances = instances
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.gpus = gpus
    }

    public static let zero = ResourceAmount()

    public static func + (lhs: ResourceAmount, rhs: ResourceAmount) -> ResourceAmount {
        ResourceAmount(
            instances: lhs.instances + rhs.instances, cpu: lhs.cpu + rhs.cpu,
            memoryMB: lhs.memoryMB + rhs.memoryMB, gpus: lhs.gpus + rhs.gpus)
    }
}

public enum QuotaPolicy {
    /// Throws `quota_exceeded` naming the first resource the request would push over its limit.
    public static func check(request: ResourceAmount, usage: ResourceAmount, limits: QuotaLimits) throws(GantryError) {
        let after = usage + request
        // A small epsilon keeps fractional CPU sums such as 0.1 × 3 from tripping the limit.
        let epsilon = 1e-9
        if after.instances > limits.instances {
            throw exceeded(
                "instances", "instance quota exceeded: \(usage.instances) of \(limits.instances) instances in use")
        }
        if after.cpu > limits.cpu + epsilon {
            throw exceeded(
                "cpu",
                "CPU quota exceeded: \(format(usage.cpu)) of \(format(limits.cpu)) cores in use, \(format(request.cpu)) requested"
            )
        }
        if after.memoryMB > limits.memoryMB {
            throw exceeded(
                "memory",
                "memory quota exceeded: \(usage.memoryMB) of \(limits.memoryMB) MB in use, \(request.memoryMB) MB requested"
            )
        }
        if after.gpus > limits.gpus {
            throw exceeded(
                "gpus", "GPU quota exceeded: \(usage.gpus) of \(limits.gpus) GPUs in use, \(request.gpus) requested")
        }
    }

    private static func exceeded(_ resource: String, _ detail: String) -> GantryError {
        GantryError(.quotaExceeded, code: "quota_exceeded", detail: detail, resource: resource)
    }

    public static func format(_ cpu: Double) -> String {
        let rounded = (cpu * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
