import Foundation
import GantryCore
import GantryTestSupport
import NvidiaSMI
import Testing

/// Runs `NvidiaSMIInventorySource` against shell scripts standing in for nvidia-smi, so the real
/// process path (spawn, pipes, exit status, timeout) is exercised. Serialized: a script being
/// written while another test spawns a process can fail to start with "text file busy".
@Suite(.serialized) struct FakeNvidiaSMITests {
    @Test(arguments: FixtureCase.all)
    func fixtureThroughARealProcess(_ fixture: FixtureCase) async throws {
        let inventory = try await FakeNvidiaSMI.withScript(FakeNvidiaSMI.script(printing: fixture)) { path in
            try await NvidiaSMIInventorySource(executablePath: path, timeout: .seconds(20)).readInventory()
        }
        #expect(inventory == fixture.expected)
    }

    @Test func missingExecutableIsAnEmptyInventory() async throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("no-such-dir-\(UUID().uuidString)/nvidia-smi").path
        #expect(try await NvidiaSMIInventorySource(executablePath: path).readInventory() == .empty)
    }

    @Test func fileThatIsNotExecutableIsAnEmptyInventory() async throws {
        let inventory = try await FakeNvidiaSMI.withScript("echo never run", executable: false) { path in
            try await NvidiaSMIInventorySource(executablePath: path).readInventory()
        }
        #expect(inventory == .empty)
    }

    @Test func driverFailureIsAnEmptyInventory() async throws {
        let script = "cat \(FakeNvidiaSMI.quoted(try Fixtures.driverFailureOutput.path))\nexit 9"
        let inventory = try await FakeNvidiaSMI.withScript(script) { path in
            try await NvidiaSMIInventorySource(executablePath: path).readInventory()
        }
        #expect(inventory == .empty)
    }

    @Test func noDevicesFoundIsAnEmptyInventory() async throws {
        let inventory = try await FakeNvidiaSMI.withScript("echo 'No devices were found'\nexit 6") { path in
            try await NvidiaSMIInventorySource(executablePath: path).readInventory()
        }
        #expect(inventory == .empty)
    }

    @Test func otherFailuresThrowWithTheirStatusAndMessage() async throws {
        let script = "echo 'Unable to determine the device handle for GPU0000:07:00.0: Unknown Error' >&2\nexit 15"
        try await FakeNvidiaSMI.withScript(script) { path in
            do {
                let inventory = try await NvidiaSMIInventorySource(executablePath: path).readInventory()
                Issue.record("expected an error, got \(inventory)")
            } catch let error as NvidiaSMIError {
                #expect(
                    error
                        == .commandFailed(
                            arguments: ["-q", "-x"], status: 15,
                            output: "Unable to determine the device handle for GPU0000:07:00.0: Unknown Error"))
            }
        }
    }

    @Test func crashIsReportedAsShellStyleStatus() async throws {
        try await FakeNvidiaSMI.withScript("kill -SEGV $$") { path in
            await #expect(throws: NvidiaSMIError.commandFailed(arguments: ["-q", "-x"], status: 128 + 11, output: "")) {
                try await NvidiaSMIInventorySource(executablePath: path).readInventory()
            }
        }
    }

    /// Documented choice: a hang is an error (`timedOut`), not "no GPUs", and the process is killed
    /// within the timeout instead of being waited for.
    @Test func hangingCommandTimesOutQuickly() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        try await FakeNvidiaSMI.withScript("sleep 30") { path in
            await #expect(throws: NvidiaSMIError.timedOut(arguments: ["-q", "-x"], after: .seconds(1))) {
                try await NvidiaSMIInventorySource(executablePath: path, timeout: .seconds(1)).readInventory()
            }
        }
        #expect(clock.now - started < .seconds(8))
    }

    @Test func cancellationStopsAHangingCommand() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        try await FakeNvidiaSMI.withScript("sleep 30") { path in
            let task = Task {
                try await NvidiaSMIInventorySource(executablePath: path, timeout: .seconds(60)).readInventory()
            }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
        }
        #expect(clock.now - started < .seconds(8))
    }

    @Test func malformedXMLThrows() async throws {
        try await FakeNvidiaSMI.withScript("echo '<nvidia_smi_log><gpu><uuid>GPU-1'") { path in
            let error = await #expect(throws: NvidiaSMIError.self) {
                try await NvidiaSMIInventorySource(executablePath: path).readInventory()
            }
            guard case .malformedXML = error else {
                Issue.record("expected malformedXML, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func failingListingStillGivesTheReport() async throws {
        let fixture = FixtureCase.h100MIGOn
        let script = """
            if [ "$*" = "-L" ]; then echo 'Failed to initialize NVML: Unknown Error' >&2; exit 255; fi
            cat \(FakeNvidiaSMI.quoted(try fixture.xmlURL.path))
            """
        let inventory = try await FakeNvidiaSMI.withScript(script) { path in
            try await NvidiaSMIInventorySource(executablePath: path).readInventory()
        }
        let devices = try #require(inventory.gpus.first?.migDevices)
        #expect(devices.map(\.uuid) == ["", "", "", ""])
        #expect(devices.map(\.profile) == fixture.expected.gpus[0].migDevices.map(\.profile))
        #expect(devices.map(\.gpuInstanceID) == [2, 3, 9, 10])
    }

    /// Much more than a pipe buffer (64 KiB) on stdout while stderr also gets output: neither may
    /// stall the child.
    @Test func largeOutputOnBothStreamsIsReadWhole() async throws {
        let single = try FixtureCase.h100MIGOff.xml
        let start = try #require(single.range(of: "<gpu id="))
        let end = try #require(single.range(of: "</nvidia_smi_log>"))
        let gpuBlock = String(single[start.lowerBound..<end.lowerBound])
        let blocks = (0..<16).map { gpuBlock.replacingOccurrences(of: "GPU-9a3c6e21", with: "GPU-\(1000 + $0)") }
        let xml = String(single[..<start.lowerBound]) + blocks.joined() + "</nvidia_smi_log>\n"
        #expect(xml.utf8.count > 256 * 1024)

        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("large-nvidia-smi-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let xmlPath = directory.appendingPathComponent("report.xml").path
        try xml.write(toFile: xmlPath, atomically: true, encoding: .utf8)

        let script = """
            if [ "$*" = "-L" ]; then exit 0; fi
            i=0; while [ $i -lt 2000 ]; do echo "warning line $i padding padding padding" >&2; i=$((i+1)); done
            cat \(FakeNvidiaSMI.quoted(xmlPath))
            """
        let inventory = try await FakeNvidiaSMI.withScript(script) { path in
            try await NvidiaSMIInventorySource(executablePath: path, timeout: .seconds(20)).readInventory()
        }
        #expect(inventory.gpus.count == 32)
        #expect(inventory.gpus.map(\.index) == Array(0..<32))
    }
}
