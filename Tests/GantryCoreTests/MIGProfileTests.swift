import GantryCore
import Testing

@Suite struct MIGProfileTests {
    @Test func catalogStartsWithSeed001sTableExactly() {
        let seed = MIGProfile.catalog.prefix(5)
        #expect(seed.map(\.name) == ["1g.5gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb"])
        #expect(seed.map(\.computeSlices) == [1, 2, 3, 4, 7])
        #expect(seed.map(\.memoryGB) == [5, 10, 20, 20, 40])
        #expect(seed.allSatisfy { $0.totalSlices == 7 && !$0.hasMediaExtensions })
    }

    @Test func restOfTheCatalogIsOrderedByMemory() {
        let rest = MIGProfile.catalog.dropFirst(5).map(\.memoryGB)
        #expect(rest == rest.sorted())
    }

    @Test func catalogNamesAreUniqueAndCoverTheDocumentedGPUs() {
        let names = MIGProfile.catalog.map(\.name)
        #expect(Set(names).count == names.count)
        let a100And80GB = ["1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"]
        let h100NVL = ["1g.12gb", "1g.24gb", "2g.24gb", "3g.47gb", "4g.47gb", "7g.94gb"]
        let h200 = ["1g.18gb", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb"]
        for name in a100And80GB + h100NVL + h200 {
            #expect(MIGProfile.named(name)?.totalSlices == 7, "\(name)")
        }
        for name in ["1g.6gb", "2g.12gb", "4g.24gb"] {
            #expect(MIGProfile.named(name)?.totalSlices == 4, "A30 \(name)")
        }
    }

    @Test func everyCatalogNameRoundTrips() {
        for profile in MIGProfile.catalog {
            #expect(MIGProfile.named(profile.name) == profile)
            #expect(MIGProfile.parse(name: profile.name) == profile)
            #expect(profile.description == profile.name)
        }
    }

    @Test func namedFindsCatalogProfiles() {
        #expect(MIGProfile.named("3g.20gb") == MIGProfile(computeSlices: 3, totalSlices: 7, memoryGB: 20))
        #expect(MIGProfile.named("4g.24gb") == MIGProfile(computeSlices: 4, totalSlices: 4, memoryGB: 24))
        #expect(MIGProfile.named("5g.30gb") == nil, "well-formed but not documented")
        #expect(MIGProfile.named("bogus") == nil)
    }

    @Test func mediaExtensionVariantsKeepTheirName() throws {
        let profile = try #require(MIGProfile.named("1g.10gb+me"))
        #expect(profile.name == "1g.10gb+me")
        #expect(profile.hasMediaExtensions)
        #expect(profile.computeSlices == 1 && profile.memoryGB == 10 && profile.totalSlices == 7)
        #expect(MIGProfile.named("2g.12gb+me")?.totalSlices == 4)
        #expect(MIGProfile.parse(name: "1g.5gb+me")?.name == "1g.5gb+me")
    }

    @Test func parseAcceptsWellFormedProfilesTheCatalogDoesNotKnow() throws {
        let blackwell = try #require(MIGProfile.parse(name: "1g.23gb"))
        #expect(blackwell == MIGProfile(computeSlices: 1, totalSlices: 7, memoryGB: 23))
        #expect(MIGProfile.parse(name: "7g.180gb")?.memoryGB == 180)
        #expect(MIGProfile.parse(name: "2g.48gb+me")?.hasMediaExtensions == true)
        #expect(MIGProfile.parse(name: "2g.48gb+me")?.name == "2g.48gb+me")
    }

    @Test(arguments: [
        "", "3g", "3g.20", "3g.20GB", "3G.20gb", "g.20gb", "0g.5gb", "8g.80gb", "03g.20gb", "3g.020gb", "3g.0gb",
        "3g.20gb+gfx", "3g.20gb+me+me", " 3g.20gb", "3g.20gb ", "1c.3g.20gb", "-3g.20gb", "3g.-20gb", "3g.20gbx",
        "+me", "3g..20gb", "3g.20.5gb", "\u{0663}g.20gb", "3g.99999gb", "none", "full", "MIG 3g.20gb",
    ])
    func parseRejectsMalformedNames(_ name: String) {
        #expect(MIGProfile.parse(name: name) == nil)
        #expect(!MIGProfile.isValidRequest(name))
    }

    @Test func validRequestsAreExactlyTheWellFormedNames() {
        #expect(MIGProfile.isValidRequest("3g.20gb"))
        #expect(MIGProfile.isValidRequest("1g.10gb+me"))
        #expect(MIGProfile.isValidRequest("1g.23gb"))
        #expect(!MIGProfile.isValidRequest("3g.20gb+gfx"))
    }

    @Test func derivedFigures() {
        #expect(MIGProfile.named("3g.40gb")?.nominalMemoryMB == 40960)
        #expect(MIGProfile.named("7g.80gb")?.isWholeGPU == true)
        #expect(MIGProfile.named("4g.24gb")?.isWholeGPU == true)
        #expect(MIGProfile.named("4g.40gb")?.isWholeGPU == false)
    }
}
