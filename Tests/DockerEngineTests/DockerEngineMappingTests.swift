import Foundation
import GantryCore
import GantryPorts
import NIOCore
import Testing

@testable import DockerEngine

@Suite struct DockerEngineMappingTests {
    @Test func createBodyCarriesLimitsAndHardening() throws {
        let spec = ContainerSpec(
            name: "gantry-i-1", image: "nginx:1.27", command: ["nginx", "-g", "daemon off;"], environment: ["A=1"],
            labels: ["gantry.instance": "i-1", "gantry.managed": "true"], cpu: 1.5, memoryMB: 256, pidsLimit: 128,
            capabilities: ["NET_BIND_SERVICE"], containerPort: 80, hostBindIP: "127.0.0.1", hostPort: 20_080
        )
        let data = try JSONEncoder().encode(DockerEngineClient.createBody(for: spec))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["Image"] as? String == "nginx:1.27")
        #expect(json["Cmd"] as? [String] == ["nginx", "-g", "daemon off;"])
        #expect(json["Env"] as? [String] == ["A=1"])
        #expect(json["Labels"] as? [String: String] == ["gantry.instance": "i-1", "gantry.managed": "true"])
        let exposed = try #require(json["ExposedPorts"] as? [String: Any])
        #expect(Array(exposed.keys) == ["80/tcp"])
        let hostConfig = try #require(json["HostConfig"] as? [String: Any])
        #expect(hostConfig["NanoCpus"] as? Int == 1_500_000_000)
        #expect(hostConfig["Memory"] as? Int == 256 * 1024 * 1024)
        #expect(hostConfig["PidsLimit"] as? Int == 128)
        #expect(hostConfig["CapDrop"] as? [String] == ["ALL"])
        #expect(hostConfig["CapAdd"] as? [String] == ["NET_BIND_SERVICE"])
        #expect(hostConfig["SecurityOpt"] as? [String] == ["no-new-privileges:true"])
        let bindings = try #require(hostConfig["PortBindings"] as? [String: [[String: String]]])
        #expect(bindings == ["80/tcp": [["HostIp": "127.0.0.1", "HostPort": "20080"]]])
        #expect(hostConfig["RestartPolicy"] as? [String: String] == ["Name": "no"])
    }

    @Test func createBodyLeavesCmdOutWhenTheImageDefaultApplies() throws {
        let spec = ContainerSpec(
            name: "n", image: "i", labels: [:], cpu: 1, memoryMB: 64, containerPort: 8080, hostPort: 1
        )
        let data = try JSONEncoder().encode(DockerEngineClient.createBody(for: spec))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["Cmd"] == nil)
    }

    @Test func createBodyOpensStdinAndHardensTheFilesystemWhenAsked() throws {
        let spec = ContainerSpec(
            name: "gantry-job-1", image: "plugin:1", labels: [:], cpu: 1, memoryMB: 64, containerPort: 0, hostPort: 0,
            network: "none", opensStdin: true, readOnlyRootFilesystem: true,
            tmpfs: ["/tmp": "rw,noexec,nosuid,size=64m"]
        )
        let data = try JSONEncoder().encode(DockerEngineClient.createBody(for: spec))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["OpenStdin", "StdinOnce", "AttachStdin", "AttachStdout", "AttachStderr"] {
            #expect(json[key] as? Bool == true, "\(key)")
        }
        let hostConfig = try #require(json["HostConfig"] as? [String: Any])
        #expect(hostConfig["ReadonlyRootfs"] as? Bool == true)
        #expect(hostConfig["Tmpfs"] as? [String: String] == ["/tmp": "rw,noexec,nosuid,size=64m"])
        #expect(hostConfig["NetworkMode"] as? String == "none")
    }

    @Test func createBodyLeavesStdinAndFilesystemKeysOutByDefault() throws {
        let spec = ContainerSpec(
            name: "n", image: "i", labels: [:], cpu: 1, memoryMB: 64, containerPort: 8080, hostPort: 1
        )
        let data = try JSONEncoder().encode(DockerEngineClient.createBody(for: spec))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["OpenStdin", "StdinOnce", "AttachStdin", "AttachStdout", "AttachStderr"] {
            #expect(json[key] == nil, "\(key)")
        }
        let hostConfig = try #require(json["HostConfig"] as? [String: Any])
        #expect(hostConfig["ReadonlyRootfs"] == nil)
        #expect(hostConfig["Tmpfs"] == nil)
    }

    @Test func createBodyRequestsGPUsByDeviceOrByCount() throws {
        func deviceRequests(_ spec: ContainerSpec) throws -> [[String: Any]]? {
            let data = try JSONEncoder().encode(DockerEngineClient.createBody(for: spec))
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return (json["HostConfig"] as? [String: Any])?["DeviceRequests"] as? [[String: Any]]
        }
        let byDevice = ContainerSpec(
            name: "n", image: "i", labels: [:], cpu: 1, memoryMB: 64, containerPort: 0, hostPort: 0,
            gpuDeviceIDs: ["MIG-1"])
        let named = try #require(try deviceRequests(byDevice)?.first)
        #expect(named["DeviceIDs"] as? [String] == ["MIG-1"] && named["Count"] == nil)
        let byCount = ContainerSpec(
            name: "n", image: "i", labels: [:], cpu: 1, memoryMB: 64, containerPort: 0, hostPort: 0, gpuCount: 2)
        let counted = try #require(try deviceRequests(byCount)?.first)
        #expect(
            counted["Count"] as? Int == 2 && counted["DeviceIDs"] == nil && counted["Driver"] as? String == "nvidia")
        let none = ContainerSpec(
            name: "n", image: "i", labels: [:], cpu: 1, memoryMB: 64, containerPort: 0, hostPort: 0)
        #expect(try deviceRequests(none) == nil)
    }

    @Test func inspectBodyBecomesAnObservation() throws {
        let body = """
            {"Id": "abc", "Name": "/gantry-i-1",
             "State": {"Status": "exited", "ExitCode": 137, "Error": ""},
             "Config": {"Labels": {"gantry.instance": "i-1"}}}
            """
        let decoded = try JSONDecoder().decode(ContainerInspectBody.self, from: Data(body.utf8))
        #expect(
            DockerEngineClient.observation(from: decoded)
                == ContainerObservation(
                    id: "abc", name: "gantry-i-1", labels: ["gantry.instance": "i-1"], status: .exited, exitCode: 137
                )
        )
    }

    @Test func runningContainerHasNoExitCodeAndKeepsItsError() throws {
        let body = """
            {"Id": "abc", "Name": "/x", "State": {"Status": "created", "ExitCode": 128, "Error": "port taken"},
             "Config": {"Labels": null}}
            """
        let observation = DockerEngineClient.observation(
            from: try JSONDecoder().decode(ContainerInspectBody.self, from: Data(body.utf8))
        )
        #expect(observation.status == .created)
        #expect(observation.exitCode == nil)
        #expect(observation.error == "port taken")
        #expect(observation.labels.isEmpty)
    }

    @Test func inspectBodyReportsAnOOMKill() throws {
        let body = """
            {"Id": "abc", "Name": "/job", "State": {"Status": "exited", "ExitCode": 137, "OOMKilled": true}}
            """
        let observation = DockerEngineClient.observation(
            from: try JSONDecoder().decode(ContainerInspectBody.self, from: Data(body.utf8))
        )
        #expect(observation.oomKilled)
        #expect(observation.exitCode == 137)
        let withoutField = """
            {"Id": "abc", "Name": "/job", "State": {"Status": "exited", "ExitCode": 0}}
            """
        #expect(
            !DockerEngineClient.observation(
                from: try JSONDecoder().decode(ContainerInspectBody.self, from: Data(withoutField.utf8))
            ).oomKilled
        )
    }

    @Test func listEntryBecomesAnObservation() throws {
        let body = """
            [{"Id": "abc", "Names": ["/gantry-i-2"], "Labels": {"k": "v"}, "State": "exited",
              "Status": "Exited (3) 2 seconds ago"},
             {"Id": "def", "Names": ["/gantry-i-3"], "Labels": {}, "State": "running", "Status": "Up 5 minutes"}]
            """
        let decoded = try JSONDecoder().decode([ContainerSummaryBody].self, from: Data(body.utf8))
        #expect(
            decoded.map(DockerEngineClient.observation(from:)) == [
                ContainerObservation(id: "abc", name: "gantry-i-2", labels: ["k": "v"], status: .exited, exitCode: 3),
                ContainerObservation(id: "def", name: "gantry-i-3", labels: [:], status: .running),
            ]
        )
    }

    @Test func unknownStatusReadsAsDead() {
        #expect(DockerEngineClient.status(from: "hibernating") == .dead)
        #expect(DockerEngineClient.status(from: "running") == .running)
    }

    @Test func recognisesPortConflicts() {
        #expect(
            DockerEngineClient.isPortConflict(
                "driver failed programming external connectivity on endpoint x: Bind for 0.0.0.0:20001 failed: "
                    + "port is already allocated"
            )
        )
        #expect(
            DockerEngineClient.isPortConflict(
                "Error starting userland proxy: listen tcp4 0.0.0.0:20001: bind: address already in use"
            )
        )
        #expect(!DockerEngineClient.isPortConflict("OCI runtime create failed: executable file not found"))
    }

    @Test func findsPullFailuresInProgressLines() {
        #expect(DockerEngineClient.pullFailure(in: #"{"status":"Pulling fs layer","id":"a1"}"#) == nil)
        #expect(DockerEngineClient.pullFailure(in: #"{"error":"boom"}"#) == "boom")
        #expect(
            DockerEngineClient.pullFailure(in: #"{"errorDetail":{"message":"manifest unknown"},"error":"x"}"#)
                == "manifest unknown"
        )
        #expect(DockerEngineClient.pullFailure(in: "not json") == nil)
    }

    @Test func splitsTheProgressStreamIntoLines() {
        var reader = PullProgressReader()
        reader.append(ByteBuffer(string: #"{"status":"a"}"# + "\n" + #"{"err"#))
        #expect(reader.nextLine() == #"{"status":"a"}"#)
        #expect(reader.nextLine() == nil)
        reader.append(ByteBuffer(string: #"or":"b"}"# + "\r\n\n"))
        #expect(reader.nextLine() == #"{"error":"b"}"# + "\r")
        #expect(reader.nextLine() == nil)
        reader.append(ByteBuffer(string: "tail"))
        #expect(reader.finish() == "tail")
    }

    @Test func encodesQueriesStrictly() {
        #expect(
            DockerEngineClient.queryString([("filters", #"{"label":["a=b c"]}"#), ("all", "true")])
                == "?filters=%7B%22label%22%3A%5B%22a%3Db%20c%22%5D%7D&all=true"
        )
        #expect(DockerEngineClient.queryString([]) == "")
        let reference = "localhost:5000/team/app:1@sha256:ab"
        #expect(DockerEngineClient.imagePath(reference) == reference)
        #expect(DockerEngineClient.pathSegment("a/b c") == "a%2Fb%20c")
    }

    @Test(
        arguments: [
            (nil, nil, "1.41"),
            ("1.41", "1.12", "1.41"),
            ("1.47", "1.24", "1.41"),
            ("1.40", "1.12", "1.40"),
            ("1.52", "1.44", "1.44"),
        ] as [(String?, String?, String)])
    func negotiatesTheAPIVersion(maximum: String?, minimum: String?, expected: String) {
        let chosen = DockerAPIVersion.negotiate(
            engineMaximum: maximum.flatMap(DockerAPIVersion.init), engineMinimum: minimum.flatMap(DockerAPIVersion.init)
        )
        #expect(chosen.description == expected)
    }
}
