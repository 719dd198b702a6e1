import GantryCore
import Testing

@Suite struct QuotaPolicyTests {
    let limits = QuotaLimits.seedDefault

    @Test func seedDefaultsAreFiveInstancesSixteenCoresThirtyTwoGigabytes() {
        #expect(limits == QuotaLimits(instances: 5, cpu: 16, memoryMB: 32768, gpus: 0))
    }

    @Test func allowsUpToTheLimit() throws {
        try QuotaPolicy.check(
            request: ResourceAmount(instances: 1, cpu: 4, memoryMB: 8192),
            usage: ResourceAmount(instances: 4, cpu: 12, memoryMB: 24576), limits: limits)
    }

    @Test(arguments: [
        (ResourceAmount(instances: 5, cpu: 1, memoryMB: 1), "instances"),
        (ResourceAmount(instances: 1, cpu: 15.5, memoryMB: 1), "cpu"),
        (ResourceAmount(instances: 1, cpu: 1, memoryMB: 32000), "memory"),
    ])
    func namesTheResourceThatIsExceeded(usage: ResourceAmount, resource: String) {
        #expect {
            try QuotaPolicy.check(
                request: ResourceAmount(instances: 1, cpu: 1, memoryMB: 1024), usage: usage, limits: limits)
        } throws: { error in
            guard let error = error as? GantryError else { return false }
            return error.code == "quota_exceeded" && error.resource == resource && error.kind == .quotaExceeded
        }
    }

    @Test func gpusAreLimitedToo() {
        #expect(throws: GantryError.self) {
            try QuotaPolicy.check(request: ResourceAmount(instances: 1, gpus: 1), usage: .zero, limits: limits)
        }
    }

    @Test func fractionalCPUSumsDoNotTripTheLimitThroughRoundingError() throws {
        let limit = QuotaLimits(instances: 100, cpu: 0.3, memoryMB: 1000)
        let usage = ResourceAmount(instances: 2, cpu: 0.1 + 0.1, memoryMB: 0)
        try QuotaPolicy.check(request: ResourceAmount(instances: 1, cpu: 0.1), usage: usage, limits: limit)
    }

    @Test func overridesApplyPerField() {
        let override = QuotaOverride(instances: 10, cpu: nil, memoryMB: 1024, gpus: nil)
        #expect(override.applied(to: limits) == QuotaLimits(instances: 10, cpu: 16, memoryMB: 1024, gpus: 0))
    }
}
