import Testing

@testable import DockerEngine

@Suite struct DockerEngineHostTests {
    @Test(arguments: [
        ("unix:///var/run/docker.sock", DockerEngineHost.unixSocket(path: "/var/run/docker.sock")),
        ("  unix:///run/user/1000/docker.sock ", .unixSocket(path: "/run/user/1000/docker.sock")),
        ("tcp://10.0.0.5:2375", .tcp(host: "10.0.0.5", port: 2375)),
        ("http://docker-node-2:12375", .tcp(host: "docker-node-2", port: 12_375)),
        ("tcp://node3", .tcp(host: "node3", port: 2375)),
        ("tcp://node3:2376/", .tcp(host: "node3", port: 2376)),
        ("tcp://[::1]:2375", .tcp(host: "::1", port: 2375)),
    ])
    func parsesSupportedHosts(text: String, expected: DockerEngineHost) throws {
        #expect(try DockerEngineHost.parse(text) == expected)
    }

    @Test(arguments: [
        "", "/var/run/docker.sock", "unix://relative.sock", "https://node:2376", "ssh://user@node",
        "npipe:////./pipe/docker_engine", "tcp://", "tcp://node:notaport", "tcp://node:70000", "tcp://node:2375/path",
        "tcp://[::1", "tcp://:2375",
    ])
    func rejectsOtherHosts(text: String) {
        #expect(throws: DockerEngineHostError.self) { try DockerEngineHost.parse(text) }
    }

    @Test func buildsURLs() throws {
        #expect(DockerEngineHost.tcp(host: "node", port: 2375).url(for: "/v1.41/info") == "http://node:2375/v1.41/info")
        #expect(DockerEngineHost.tcp(host: "::1", port: 2375).url(for: "/_ping") == "http://[::1]:2375/_ping")
        let unix = try #require(DockerEngineHost.unixSocket(path: "/var/run/docker.sock").url(for: "/_ping?a=%7B"))
        #expect(unix.hasPrefix("http+unix://"))
        #expect(unix.hasSuffix("/_ping?a=%7B"))
    }

    @Test func describesItselfAsAHostString() {
        #expect(DockerEngineHost.unixSocket(path: "/var/run/docker.sock").description == "unix:///var/run/docker.sock")
        #expect(DockerEngineHost.tcp(host: "::1", port: 2375).description == "tcp://[::1]:2375")
    }
}
