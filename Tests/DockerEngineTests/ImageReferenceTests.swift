import Testing

@testable import DockerEngine

@Suite struct ImageReferenceTests {
    @Test(arguments: [
        // reference, fromImage, tag
        ("nginx", "nginx", "latest"),
        ("nginx:1.27", "nginx", "1.27"),
        ("library/nginx:alpine", "library/nginx", "alpine"),
        ("gantry-test/httpd:latest", "gantry-test/httpd", "latest"),
        ("ghcr.io/org/app:v2", "ghcr.io/org/app", "v2"),
        ("localhost:5000/x", "localhost:5000/x", "latest"),
        ("localhost:5000/x:y", "localhost:5000/x", "y"),
        ("registry.example.com:443/team/app/web:2024.1", "registry.example.com:443/team/app/web", "2024.1"),
        ("alpine@sha256:abc123", "alpine", "sha256:abc123"),
        ("localhost:5000/x@sha256:def", "localhost:5000/x", "sha256:def"),
        // The digest pins the image; the CLI sends it instead of the tag.
        ("localhost:5000/x:1.0@sha256:def", "localhost:5000/x", "sha256:def"),
        ("nginx:", "nginx", "latest"),
    ])
    func splitsForPull(reference: String, repository: String, tag: String) {
        let parsed = ImageReference(parsing: reference)
        #expect(parsed.repository == repository)
        #expect(parsed.apiTag == tag)
    }

    @Test func keepsTagAndDigestApart() {
        let parsed = ImageReference(parsing: "localhost:5000/x:1.0@sha256:def")
        #expect(parsed == ImageReference(repository: "localhost:5000/x", tag: "1.0", digest: "sha256:def"))
    }
}
