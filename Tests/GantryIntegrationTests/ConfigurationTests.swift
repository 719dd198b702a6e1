import Foundation
import GantryCore
import GantryServer
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsAreTheDocumentedOnes() throws {
        let configuration = try GantryConfiguration.load(environment: [:])
        #expect(configuration.dataDirectory == "./.gantry")
        #expect(configuration.databaseURL == nil)
        #expect(configuration.dockerHost == "unix:///var/run/docker.sock")
        #expect(configuration.httpHost == "0.0.0.0" && configuration.httpPort == 8080)
        // Seed 000's instance, CPU and memory quota, and one GPU device per user.
        #expect(configuration.defaultQuota == QuotaLimits(instances: 5, cpu: 16, memoryMB: 32768, gpus: 1))
        #expect(configuration.portRange.lowerBound == 8000)
        #expect(configuration.tokenLifetimeMinutes == 60)
        #expect(configuration.sshHost == "0.0.0.0" && configuration.sshPort == 2222)
        #expect(configuration.danglingGraceSeconds == 60 && configuration.sshTTLGraceSeconds == 600)
        #expect(configuration.gpuAttach == .deviceRequest && configuration.nvidiaSMIPath == "nvidia-smi")
        #expect(configuration.sessionImage == "ubuntu-22.04" && configuration.sessionNetwork == "gantry-sessions")
    }

    @Test func durationsAndTheGatewaySwitchParse() throws {
        let configuration = try GantryConfiguration.load(environment: [
            "GANTRY_DANGLING_GRACE": "1s", "GANTRY_SSH_TTL_GRACE": "5m", "GANTRY_GPU_REFRESH_INTERVAL": "250ms",
            "GANTRY_SSH_IDLE_TIMEOUT": "90", "GANTRY_SSH_ADDR": "off", "GANTRY_SSH_PUBLIC_HOST": "ssh.example.com:22",
        ])
        #expect(configuration.danglingGraceSeconds == 1 && configuration.sshTTLGraceSeconds == 300)
        #expect(configuration.gpuRefreshSeconds == 0.25 && configuration.sshIdleTimeoutSeconds == 90)
        #expect(configuration.sshHost == nil)
        #expect(configuration.sshPublicHost == "ssh.example.com" && configuration.sshPublicPort == 22)
        #expect(throws: GantryConfiguration.Invalid.self) {
            try GantryConfiguration.load(environment: [
                "GANTRY_DANGLING_GRACE": "soon", "GANTRY_GPU_ATTACH": "magic",
            ])
        }
    }

    @Test func sshStartupLimitsParseInOpenSSHForm() throws {
        let defaults = try GantryConfiguration.load(environment: [:])
        #expect(
            defaults.sshStartups.start == 100 && defaults.sshStartups.rate == 30 && defaults.sshStartups.full == 300)
        #expect(defaults.sshStartups.perSource == 10 && defaults.sshLoginGraceSeconds == 60)
        let custom = try GantryConfiguration.load(environment: [
            "GANTRY_SSH_MAX_STARTUPS": "10:50:40", "GANTRY_SSH_PER_SOURCE_MAX_STARTUPS": "3",
            "GANTRY_SSH_LOGIN_GRACE": "20s",
        ])
        #expect(custom.sshStartups.start == 10 && custom.sshStartups.rate == 50 && custom.sshStartups.full == 40)
        #expect(custom.sshStartups.perSource == 3 && custom.sshLoginGraceSeconds == 20)
        let single = try GantryConfiguration.load(environment: ["GANTRY_SSH_MAX_STARTUPS": "25"])
        #expect(single.sshStartups.start == 25 && single.sshStartups.full == 25)
        for bad in ["10:30", "10:130:40", "40:30:10", "x", "0"] {
            #expect(throws: GantryConfiguration.Invalid.self, "\(bad)") {
                try GantryConfiguration.load(environment: ["GANTRY_SSH_MAX_STARTUPS": bad])
            }
        }
    }

    @Test func everyProblemIsReportedAtOnce() {
        #expect {
            try GantryConfiguration.load(environment: [
                "GANTRY_HTTP_ADDR": "nonsense", "GANTRY_DEFAULT_QUOTA_CPU": "-1", "GANTRY_DATABASE_URL": "mysql://x",
                "GANTRY_JWT_SECRET": "short", "GANTRY_OPEN_SIGNUP": "maybe",
            ])
        } throws: { error in
            guard let invalid = error as? GantryConfiguration.Invalid else { return false }
            return invalid.problems.count == 5
        }
    }

    @Test func readsAConfigFileAndTheEnvironmentWins() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            TestEnvironment.uniqueName("gantry") + ".env")
        try "# comment\nGANTRY_PORT_RANGE_START=9000\nGANTRY_NODE_NAME=\"from-file\"\n".write(
            to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let configuration = try GantryConfiguration.load(environment: [
            "GANTRY_CONFIG_FILE": file.path, "GANTRY_NODE_NAME": "from-env",
        ])
        #expect(configuration.portRange.lowerBound == 9000)
        #expect(configuration.nodeName == "from-env")
    }

    @Test func theReadmeDocumentsEverySetting() throws {
        let readme = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        for setting in GantryConfiguration.settings {
            #expect(readme.contains("| `\(setting.key)` |"), "README lacks \(setting.key)")
        }
    }
}
