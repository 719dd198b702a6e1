import Foundation
import GantryCore
import Testing

/// Each factory, through the spec builder, gives exactly the spec the code it replaces built
/// (InstanceReconciler.createContainer, SessionService.containerSpec,
/// ContainerJobExecutor.containerSpec), written out here field by field.
@Suite struct ContainerTemplateFactoryTests {
    typealias F = WorkloadFixtures

    static let sessionLabels = [
        "gantry.kind": "session", "gantry.id": "A1B2C3D4-0000-4000-8000-000000000002",
        "gantry.owner": "00000000-0000-4000-8000-0000000000AA", "gantry.installation": "inst-1",
        "gantry.name": "train",
    ]

    static let sessionEnvironment = [
        "HOME=/workspace", "USER=alice", "LOGNAME=alice",
        "GANTRY_SESSION_ID=a1b2c3d4-0000-4000-8000-000000000002", "GANTRY_SESSION_NAME=train",
    ]

    static let idleCommand = [
        "/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done",
    ]

    @Test func instanceSpecIsWhatTheReconcilerBuilt() {
        let spec = ContainerSpecBuilder.spec(for: F.instance().workload, installationID: "inst-1")
        let expected = ContainerSpec(
            name: "gantry-web-3f2504e0", image: "nginx:1.25", command: nil, environment: [],
            labels: [
                "gantry.kind": "instance", "gantry.id": "3F2504E0-4F89-11D3-9A0C-0305E82C3301",
                "gantry.owner": "00000000-0000-4000-8000-0000000000AA", "gantry.installation": "inst-1",
                "gantry.name": "web",
            ],
            cpu: 1.5, memoryMB: 256, pidsLimit: 512, capabilities: ["CHOWN", "SETUID", "SETGID", "NET_BIND_SERVICE"],
            containerPort: 80, hostBindIP: "127.0.0.1", hostPort: 8001, mounts: [], network: nil, user: nil,
            workingDirectory: nil, gpuDeviceIDs: [], runsInit: false, hostname: nil, opensStdin: false,
            readOnlyRootFilesystem: false, tmpfs: [:], gpuCount: 0)
        #expect(spec == expected)
    }

    @Test func instanceTemplateKeepsTheCatalogCommand() {
        let template = ContainerTemplate.forInstance(
            id: F.instanceID, name: "api", image: F.python, pidsLimit: 128, hostBindIP: "0.0.0.0")
        #expect(template.containerName == "gantry-api-3f2504e0")
        #expect(template.command == ["python", "-m", "http.server", "8080"])
        #expect(template.containerPort == 8080)
        #expect(template.capabilities.isEmpty)
        #expect(template.gpuCount == 0 && template.gpuAttach == .deviceRequest)
        #expect(!template.isolatedNetwork && template.network == nil)
    }

    @Test func instanceWithoutAPortPublishesPortZero() {
        let spec = ContainerSpecBuilder.spec(for: F.instance(hostPort: nil).workload, installationID: "inst-1")
        #expect(spec.hostPort == 0)
    }

    @Test func sessionSpecWithADeviceRequestIsWhatSessionServiceBuilt() {
        let session = F.session(gpu: F.migAssignment, gpuAttach: .deviceRequest)
        let spec = ContainerSpecBuilder.spec(for: session.workload, installationID: "inst-1", networkID: "net-1234")
        let expected = ContainerSpec(
            name: "gantry-session-alice-train-a1b2c3d4", image: "ubuntu:22.04", command: Self.idleCommand,
            environment: Self.sessionEnvironment, labels: Self.sessionLabels, cpu: 2, memoryMB: 4096, pidsLimit: 512,
            capabilities: [], containerPort: 0, hostBindIP: "0.0.0.0", hostPort: 0,
            mounts: [BindMount(source: "/srv/gantry/workspaces/alice", target: "/workspace", readOnly: false)],
            network: "net-1234", user: "20001:20001", workingDirectory: "/workspace", gpuDeviceIDs: [F.migDevice],
            runsInit: true, hostname: "train", opensStdin: false, readOnlyRootFilesystem: false, tmpfs: [:],
            gpuCount: 0)
        #expect(spec == expected)
    }

    @Test func sessionSpecWithTheEnvironmentAttachIsWhatSessionServiceBuilt() {
        let session = F.session(gpu: F.migAssignment, gpuAttach: .env)
        let spec = ContainerSpecBuilder.spec(for: session.workload, installationID: "inst-1", networkID: "net-1234")
        let expected = ContainerSpec(
            name: "gantry-session-alice-train-a1b2c3d4", image: "ubuntu:22.04", command: Self.idleCommand,
            environment: Self.sessionEnvironment + ["NVIDIA_VISIBLE_DEVICES=\(F.migDevice)"],
            labels: Self.sessionLabels, cpu: 2, memoryMB: 4096, pidsLimit: 512, capabilities: [], containerPort: 0,
            hostBindIP: "0.0.0.0", hostPort: 0,
            mounts: [BindMount(source: "/srv/gantry/workspaces/alice", target: "/workspace")], network: "net-1234",
            user: "20001:20001", workingDirectory: "/workspace", gpuDeviceIDs: [], runsInit: true, hostname: "train",
            gpuCount: 0)
        #expect(spec == expected)
    }

    @Test(arguments: GPUAttachMode.allCases)
    func sessionWithoutAGPUGetsNoDevice(mode: GPUAttachMode) {
        let spec = ContainerSpecBuilder.spec(
            for: F.session(gpu: nil, gpuAttach: mode).workload, installationID: "inst-1", networkID: "net-1234")
        #expect(spec.gpuDeviceIDs.isEmpty)
        #expect(spec.environment == Self.sessionEnvironment)
        #expect(spec.gpuCount == 0)
    }

    @Test func sessionTemplateNamesAnIsolatedNetwork() {
        let template = F.session().template
        #expect(template.network == "gantry-sessions")
        #expect(template.isolatedNetwork)
        let spec = ContainerSpecBuilder.spec(for: F.session().workload, installationID: "inst-1")
        #expect(spec.network == "gantry-sessions")
    }

    func jobSpec(inputMode: Plugin.InputMode, network: Bool, gpus: Int = 0) -> ContainerSpec {
        let plugin = F.plugin(inputMode: inputMode, network: network, gpus: gpus)
        let job = F.job()
        let template = ContainerTemplate.forJobAttempt(
            job: job, attempt: 2, plugin: plugin, containerUser: "65534:65534", pidsLimit: 256, tmpfsSizeMB: 64,
            nameSuffix: "9f3c")
        let workload = Workload.jobAttempt(
            job: job, attempt: 2, node: "local", resources: WorkloadResources(plugin.resources), template: template)
        return ContainerSpecBuilder.spec(for: workload, installationID: "inst-1")
    }

    static let jobLabels = [
        "gantry.kind": "job", "gantry.id": "0BADF00D-0000-4000-8000-000000000003",
        "gantry.owner": "00000000-0000-4000-8000-0000000000AA", "gantry.installation": "inst-1",
        "gantry.name": "word-count", "gantry.job.attempt": "2",
    ]

    @Test func stdinJobSpecIsWhatTheJobExecutorBuilt() {
        let expected = ContainerSpec(
            name: "gantry-job-0badf00d-2-9f3c", image: "example/wc:1", command: nil, environment: [],
            labels: Self.jobLabels, cpu: 0.5, memoryMB: 128, pidsLimit: 256, capabilities: [], containerPort: 0,
            hostBindIP: "0.0.0.0", hostPort: 0, mounts: [], network: "none", user: "65534:65534",
            workingDirectory: nil, gpuDeviceIDs: [], runsInit: false, hostname: nil, opensStdin: true,
            readOnlyRootFilesystem: true, tmpfs: ["/tmp": "rw,nosuid,nodev,size=64m"], gpuCount: 0)
        #expect(jobSpec(inputMode: .stdin, network: false) == expected)
    }

    @Test func argvJobWithANetworkAndGPUsIsWhatTheJobExecutorBuilt() {
        let expected = ContainerSpec(
            name: "gantry-job-0badf00d-2-9f3c", image: "example/wc:1", command: [#"{"text":"a b c"}"#],
            environment: [], labels: Self.jobLabels, cpu: 0.5, memoryMB: 128, pidsLimit: 256, capabilities: [],
            containerPort: 0, hostBindIP: "0.0.0.0", hostPort: 0, mounts: [], network: nil, user: "65534:65534",
            workingDirectory: nil, gpuDeviceIDs: [], runsInit: false, hostname: nil, opensStdin: false,
            readOnlyRootFilesystem: true, tmpfs: ["/tmp": "rw,nosuid,nodev,size=64m"], gpuCount: 2)
        #expect(jobSpec(inputMode: .argv, network: true, gpus: 2) == expected)
    }

    @Test func jobTemplateWithoutAUserRunsAsTheImageUser() {
        let template = ContainerTemplate.forJobAttempt(
            job: F.job(), attempt: 1, plugin: F.plugin(), containerUser: nil, pidsLimit: 256, tmpfsSizeMB: 16,
            nameSuffix: "abcd")
        #expect(template.user == nil)
        #expect(template.containerName == "gantry-job-0badf00d-1-abcd")
        #expect(template.tmpfs == ["/tmp": "rw,nosuid,nodev,size=16m"])
        #expect(template.labels == ["gantry.job.attempt": "1"])
    }
}
