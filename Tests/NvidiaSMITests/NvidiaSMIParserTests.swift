import Foundation
import GantryCore
import Testing

@testable import NvidiaSMI

@Suite struct NvidiaSMIParserTests {
    // MARK: Fixtures

    @Test(arguments: FixtureCase.all)
    func fixtureParsesIntoTheExactInventory(_ fixture: FixtureCase) throws {
        let inventory = try NvidiaSMIInventoryParser.parse(xml: fixture.xml, list: fixture.list)
        #expect(inventory == fixture.expected)
    }

    @Test(arguments: FixtureCase.all)
    func fixtureListingAgreesWithItsReport(_ fixture: FixtureCase) throws {
        let listed = NvidiaSMIListParser.parse(try fixture.list)
        #expect(listed.map(\.uuid) == fixture.expected.gpus.map(\.uuid))
        #expect(listed.map(\.index) == fixture.expected.gpus.map(\.index))
        #expect(listed.map(\.model) == fixture.expected.gpus.map(\.model))
        #expect(listed.map(\.migDevices.count) == fixture.expected.gpus.map(\.migDevices.count))
    }

    @Test(arguments: [FixtureCase.a100MIGOff, .h100MIGOff, .noMIGGPU])
    func gpusWithoutMIGNeedNoListing(_ fixture: FixtureCase) throws {
        #expect(try NvidiaSMIInventoryParser.parse(xml: fixture.xml, list: nil) == fixture.expected)
    }

    @Test(arguments: [FixtureCase.a100MIGOn, .h100MIGOn])
    func withoutListingMIGDevicesKeepTheirIDsAndGetDerivedProfiles(_ fixture: FixtureCase) throws {
        let inventory = try NvidiaSMIInventoryParser.parse(xml: fixture.xml, list: nil)
        let expected = withoutUUIDs(fixture.expected)
        #expect(inventory == expected)
        #expect(inventory.gpus[0].migDevices.allSatisfy { $0.uuid.isEmpty })
    }

    @Test func garbageListingIsIgnored() throws {
        let fixture = FixtureCase.a100MIGOn
        let inventory = try NvidiaSMIInventoryParser.parse(xml: fixture.xml, list: "No devices were found\n")
        #expect(inventory == withoutUUIDs(fixture.expected))
    }

    // MARK: Merging -L into the report

    @Test func listingSuppliesDevicesTheReportLeavesOut() throws {
        let xml = report(gpu(uuid: "GPU-aaaa", mig: "Enabled", devices: "None"))
        let list = """
            GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-aaaa)
              MIG 4g.20gb     Device  0: (UUID: MIG-1111)
              MIG 2g.10gb Device 1: (UUID: MIG-GPU-aaaa/5/0)
            """
        let devices = try NvidiaSMIInventoryParser.parse(xml: xml, list: list).gpus[0].migDevices
        #expect(
            devices == [
                MIGDevice(
                    uuid: "MIG-1111", profile: "4g.20gb", gpuInstanceID: -1, computeInstanceID: -1, memoryMB: 20480),
                MIGDevice(
                    uuid: "MIG-GPU-aaaa/5/0", profile: "2g.10gb", gpuInstanceID: 5, computeInstanceID: 0,
                    memoryMB: 10240),
            ])
    }

    @Test func legacyListingMatchesByInstanceIDsNotPosition() throws {
        let xml = report(
            gpu(
                uuid: "GPU-aaaa", mig: "Enabled",
                devices: migDevice(index: 0, gi: 1, ci: 0, memory: "20096 MiB", engines: 3)
                    + migDevice(index: 1, gi: 5, ci: 0, memory: "9984 MiB", engines: 2)))
        // Listed in the other order on purpose.
        let list = """
            GPU 0: A100-SXM4-40GB (UUID: GPU-aaaa)
              MIG 2g.10gb Device 0: (UUID: MIG-GPU-aaaa/5/0)
              MIG 3g.20gb Device 1: (UUID: MIG-GPU-aaaa/1/0)
            """
        let devices = try NvidiaSMIInventoryParser.parse(xml: xml, list: list).gpus[0].migDevices
        #expect(devices.map(\.uuid) == ["MIG-GPU-aaaa/1/0", "MIG-GPU-aaaa/5/0"])
        #expect(devices.map(\.profile) == ["3g.20gb", "2g.10gb"])
        #expect(devices.map(\.gpuInstanceID) == [1, 5])
    }

    @Test func listingOfAnotherGPUIsNotMerged() throws {
        let xml = report(
            gpu(
                uuid: "GPU-aaaa", mig: "Enabled",
                devices: migDevice(index: 0, gi: 2, ci: 0, memory: "20096 MiB", engines: 3)))
        let list = "GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-bbbb)\n  MIG 3g.20gb     Device  0: (UUID: MIG-1111)\n"
        let device = try #require(try NvidiaSMIInventoryParser.parse(xml: xml, list: list).gpus.first?.migDevices.first)
        #expect(
            device == MIGDevice(uuid: "", profile: "3g.20gb", gpuInstanceID: 2, computeInstanceID: 0, memoryMB: 20096))
    }

    @Test func computeInstanceAndMediaExtensionNamesAreKeptVerbatim() throws {
        let xml = report(
            gpu(
                uuid: "GPU-aaaa", mig: "Enabled",
                devices: migDevice(index: 0, gi: 1, ci: 0, memory: "20096 MiB", engines: 3)
                    + migDevice(index: 1, gi: 7, ci: 0, memory: "N/A", engines: 1)))
        let list = """
            GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-aaaa)
              MIG 1c.3g.20gb  Device  0: (UUID: MIG-1111)
              MIG 1g.5gb+me   Device  1: (UUID: MIG-2222)
            """
        let devices = try NvidiaSMIInventoryParser.parse(xml: xml, list: list).gpus[0].migDevices
        #expect(devices.map(\.profile) == ["1c.3g.20gb", "1g.5gb+me"])
        // Memory comes from the report, or from the profile when the report has none.
        #expect(devices.map(\.memoryMB) == [20096, 5120])
    }

    @Test func listingOnlyComputeInstanceTakesItsGPUInstancesMemory() throws {
        let xml = report(gpu(uuid: "GPU-aaaa", mig: "Enabled", devices: "None"))
        let list = "GPU 0: X (UUID: GPU-aaaa)\n  MIG 1c.3g.20gb  Device  0: (UUID: MIG-1111)\n"
        #expect(try NvidiaSMIInventoryParser.parse(xml: xml, list: list).gpus[0].migDevices.map(\.memoryMB) == [20480])
    }

    @Test func unknownProfileWithoutMemoryStaysUnknown() throws {
        let xml = report(
            gpu(
                uuid: "GPU-aaaa", mig: "Enabled",
                devices: migDevice(index: 0, gi: 1, ci: 0, memory: "N/A", engines: nil)))
        let device = try #require(try NvidiaSMIInventoryParser.parse(xml: xml, list: nil).gpus.first?.migDevices.first)
        #expect(device == MIGDevice(uuid: "", profile: "", gpuInstanceID: 1, computeInstanceID: 0, memoryMB: 0))
    }

    // MARK: Report fields

    @Test func migDevicesCountOnlyWhileMIGIsCurrentlyEnabled() throws {
        let devices = migDevice(index: 0, gi: 1, ci: 0, memory: "20096 MiB", engines: 3)
        let xml = report(gpu(uuid: "GPU-aaaa", mig: "Disabled", pending: "Enabled", devices: devices))
        let gpu = try #require(try NvidiaSMIInventoryParser.parse(xml: xml, list: nil).gpus.first)
        #expect(gpu.migMode == .disabled)
        #expect(gpu.migDevices.isEmpty)
    }

    @Test(arguments: [
        ("Enabled", PhysicalGPU.MIGMode.enabled), ("Disabled", .disabled), ("N/A", .unsupported),
        ("[N/A]", .unsupported), ("", .unsupported), ("Something new", .unsupported),
    ])
    func migModeText(_ text: String, _ mode: PhysicalGPU.MIGMode) throws {
        let xml = report(gpu(uuid: "GPU-aaaa", mig: text))
        #expect(try NvidiaSMIInventoryParser.parse(xml: xml, list: nil).gpus.first?.migMode == mode)
    }

    @Test func missingMIGModeMeansUnsupported() throws {
        let xml = report(
            "<gpu id=\"00000000:01:00.0\"><product_name>Quadro P400</product_name><uuid>GPU-p</uuid></gpu>")
        let gpu = try #require(try NvidiaSMIInventoryParser.parse(xml: xml, list: nil).gpus.first)
        #expect(gpu == PhysicalGPU(index: 0, uuid: "GPU-p", model: "Quadro P400", memoryMB: 0, migMode: .unsupported))
    }

    @Test func placeholdersBecomeUnknownValues() throws {
        let xml = """
            <nvidia_smi_log>
                <driver_version>N/A</driver_version>
                <gpu id="00000000:01:00.0">
                    <product_name>NVIDIA A30</product_name>
                    <uuid>GPU-a30</uuid>
                    <mig_mode><current_mig>[Insufficient Permissions]</current_mig></mig_mode>
                    <fb_memory_usage><total>[Insufficient Permissions]</total></fb_memory_usage>
                </gpu>
            </nvidia_smi_log>
            """
        let inventory = try NvidiaSMIInventoryParser.parse(xml: xml, list: nil)
        #expect(
            inventory
                == GPUInventory(gpus: [
                    PhysicalGPU(index: 0, uuid: "GPU-a30", model: "NVIDIA A30", memoryMB: 0, migMode: .unsupported)
                ]))
    }

    @Test func gpusAreIndexedInReportOrderNotByMinorNumber() throws {
        let xml = report(
            gpu(uuid: "GPU-first", mig: "N/A", minor: 3) + gpu(uuid: "GPU-second", mig: "N/A", minor: 0))
        let gpus = try NvidiaSMIInventoryParser.parse(xml: xml, list: nil).gpus
        #expect(gpus.map(\.uuid) == ["GPU-first", "GPU-second"])
        #expect(gpus.map(\.index) == [0, 1])
    }

    @Test func reportWithoutGPUsIsAnEmptyInventory() throws {
        let xml =
            "<nvidia_smi_log><driver_version>535.161.08</driver_version><attached_gpus>0</attached_gpus></nvidia_smi_log>"
        #expect(try NvidiaSMIInventoryParser.parse(xml: xml, list: nil) == GPUInventory(driverVersion: "535.161.08"))
    }

    // MARK: Garbage

    @Test(arguments: [
        "", "   \n", "not xml at all", "<html><body>hello</body></html>",
        "<nvidia_smi_log><gpu><uuid>GPU-1</uuid>",
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
        "{\"gpus\": []}",
    ])
    func garbageReportThrowsMalformedXML(_ text: String) {
        expectMalformed { _ = try NvidiaSMIInventoryParser.parse(xml: text, list: nil) }
    }

    @Test func truncatedReportThrowsMalformedXML() throws {
        let xml = try FixtureCase.h100MIGOn.xml
        let half = String(xml.prefix(xml.count / 2))
        expectMalformed { _ = try NvidiaSMIInventoryParser.parse(xml: half, list: nil) }
    }

    @Test func gpuWithoutUUIDThrowsMalformedXML() {
        let xml = report("<gpu id=\"00000000:01:00.0\"><product_name>Tesla T4</product_name></gpu>")
        expectMalformed { _ = try NvidiaSMIInventoryParser.parse(xml: xml, list: nil) }
    }

    // MARK: Pieces

    @Test func listParserReadsModernAndLegacyLines() {
        let text =
            "  MIG 1g.5gb Device 0: (UUID: MIG-orphan)\r\n"
            + "GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-aaaa)\r\n"
            + "  MIG 3g.20gb     Device  0: (UUID: MIG-1111)\r\n"
            + "  MIG 1g.10gb+me  Device  1: (UUID: MIG-GPU-aaaa/13/0)\r\n"
            + "\r\n"
            + "GPU 1: Tesla T4 (UUID: GPU-bbbb)\r\n"
            + "some unrelated line\r\n"
        #expect(
            NvidiaSMIListParser.parse(text) == [
                NvidiaSMIListedGPU(
                    index: 0, model: "NVIDIA A100-SXM4-40GB", uuid: "GPU-aaaa",
                    migDevices: [
                        NvidiaSMIListedMIGDevice(index: 0, profile: "3g.20gb", uuid: "MIG-1111"),
                        NvidiaSMIListedMIGDevice(
                            index: 1, profile: "1g.10gb+me", uuid: "MIG-GPU-aaaa/13/0", gpuInstanceID: 13,
                            computeInstanceID: 0),
                    ]),
                NvidiaSMIListedGPU(index: 1, model: "Tesla T4", uuid: "GPU-bbbb", migDevices: []),
            ])
    }

    @Test(arguments: [
        "", "No devices were found", "GPU x: Foo (UUID: GPU-1)", "GPU 0: Foo (UUID: )", "GPU 0: Foo",
        "MIG 3g.20gb Device 0: (UUID: MIG-1)",
    ])
    func listParserSkipsLinesItDoesNotKnow(_ text: String) {
        #expect(NvidiaSMIListParser.parse(text).isEmpty)
    }

    @Test(arguments: [
        (8, 81152, "7g.80gb"), (7, 40320, "7g.40gb"), (4, 24064, "4g.24gb"), (3, 40448, "3g.40gb"),
        (4, 40448, "4g.40gb"), (2, 20096, "2g.20gb"), (1, 20096, "1g.20gb"), (1, 9984, "1g.10gb"),
        (1, 4864, "1g.5gb"),
    ])
    func profileIsDerivedFromCopyEnginesAndMemory(_ engines: Int, _ memoryMB: Int, _ name: String) {
        let device = NvidiaSMIReport.MIGDevice(
            index: 0, gpuInstanceID: 1, computeInstanceID: 0, memoryMB: memoryMB, copyEngineCount: engines)
        #expect(NvidiaSMIInventoryParser.derivedProfile(device)?.name == name)
    }

    @Test(arguments: [(3, 100_000), (1, 2000), (0, 4864)])
    func noProfileIsDerivedWhenNothingFits(_ engines: Int, _ memoryMB: Int) {
        let device = NvidiaSMIReport.MIGDevice(
            index: 0, gpuInstanceID: 1, computeInstanceID: 0, memoryMB: memoryMB, copyEngineCount: engines)
        #expect(NvidiaSMIInventoryParser.derivedProfile(device) == nil)
    }

    @Test func memoryTexts() {
        #expect(NvidiaSMIXMLParser.mebibytes("81559 MiB") == 81559)
        #expect(NvidiaSMIXMLParser.mebibytes("80 GiB") == 81920)
        #expect(NvidiaSMIXMLParser.mebibytes("512") == 512)
        #expect(NvidiaSMIXMLParser.mebibytes("N/A") == nil)
        #expect(NvidiaSMIXMLParser.mebibytes("12 KiB") == nil)
        #expect(NvidiaSMIXMLParser.mebibytes("-1 MiB") == nil)
    }

    @Test func failuresThatMeanNoUsableGPU() throws {
        let driver = try String(contentsOf: Fixtures.driverFailureOutput, encoding: .utf8)
        #expect(NvidiaSMIUnavailable.reason(status: 9, output: driver)?.hasPrefix("NVIDIA-SMI has failed") == true)
        #expect(NvidiaSMIUnavailable.reason(status: 6, output: "No devices were found\n") == "No devices were found")
        #expect(
            NvidiaSMIUnavailable.reason(
                status: 18, output: "Failed to initialize NVML: Driver/library version mismatch")
                != nil)
        #expect(NvidiaSMIUnavailable.reason(status: 12, output: "") == "exit status 12")
        #expect(NvidiaSMIUnavailable.reason(status: 4, output: "Insufficient Permissions") == nil)
        #expect(NvidiaSMIUnavailable.reason(status: 0, output: driver) == nil)
    }
}

// MARK: Helpers

private func expectMalformed(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("expected NvidiaSMIError.malformedXML, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as NvidiaSMIError {
        guard case .malformedXML = error else {
            Issue.record("expected malformedXML, got \(error)", sourceLocation: sourceLocation)
            return
        }
    } catch {
        Issue.record("expected NvidiaSMIError, got \(error)", sourceLocation: sourceLocation)
    }
}

/// What the parser makes of a fixture when `-L` is missing: same devices, no UUIDs. The fixtures'
/// profiles are all derivable from their size.
private func withoutUUIDs(_ inventory: GPUInventory) -> GPUInventory {
    var result = inventory
    for gpu in result.gpus.indices {
        for device in result.gpus[gpu].migDevices.indices {
            result.gpus[gpu].migDevices[device].uuid = ""
        }
    }
    return result
}

private func report(_ gpus: String) -> String {
    """
    <?xml version="1.0" ?>
    <!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd">
    <nvidia_smi_log>
        <driver_version>535.161.08</driver_version>
        <cuda_version>12.2</cuda_version>
        \(gpus)
    </nvidia_smi_log>
    """
}

private func gpu(uuid: String, mig: String, pending: String? = nil, devices: String = "None", minor: Int = 0) -> String
{
    """
    <gpu id="00000000:07:00.0">
        <product_name>NVIDIA A100-SXM4-40GB</product_name>
        <mig_mode><current_mig>\(mig)</current_mig><pending_mig>\(pending ?? mig)</pending_mig></mig_mode>
        <mig_devices>\(devices)</mig_devices>
        <uuid>\(uuid)</uuid>
        <minor_number>\(minor)</minor_number>
        <fb_memory_usage><total>40960 MiB</total><used>0 MiB</used></fb_memory_usage>
    </gpu>
    """
}

private func migDevice(index: Int, gi: Int, ci: Int, memory: String, engines: Int?) -> String {
    let attributes = engines.map {
        "<device_attributes><shared><copy_engine_count>\($0)</copy_engine_count></shared></device_attributes>"
    }
    return """
        <mig_device>
            <index>\(index)</index>
            <gpu_instance_id>\(gi)</gpu_instance_id>
            <compute_instance_id>\(ci)</compute_instance_id>
            \(attributes ?? "")
            <fb_memory_usage><total>\(memory)</total></fb_memory_usage>
        </mig_device>
        """
}
