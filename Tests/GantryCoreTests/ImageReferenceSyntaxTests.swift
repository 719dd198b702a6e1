import GantryCore
import Testing

/// Docker's reference grammar: what the engine accepts passes, what it would refuse with
/// "invalid reference format" is refused here with a reason.
@Suite struct ImageReferenceSyntaxTests {
    @Test(arguments: [
        "nginx", "nginx:1.25", "library/nginx:latest", "gantry-test/httpd:latest", "python:3.11-slim",
        "localhost:5000/team/app:v1", "registry.example.com/a/b/c", "registry.example.com:443/x_y__z.w-v--u:TAG_1",
        "[::1]:5000/app", "ghcr.io/org/app@sha256:" + String(repeating: "a", count: 64),
        "app:1@sha256:" + String(repeating: "0", count: 64), "a", "0day", "my.app/x", "gantry/python:3.11",
    ])
    func referencesTheEngineAcceptsPass(_ reference: String) {
        #expect(ImageReferenceSyntax.problem(in: reference) == nil, "\(reference)")
    }

    @Test(arguments: [
        "", "-v", "a:b:c:d", "x@sha256:abc", "Nginx", "nginx:", "nginx:-tag", "nginx:.tag", "a//b", "/a", "a/",
        "a..b", "a.-b", "a_-b", "a___b", "bad host.com/x", "host:99999/x", "ex ample", "nginx@md5",
        "nginx:" + String(repeating: "t", count: 129), "x\u{0}y", "é", "a@sha256:" + String(repeating: "g", count: 64),
        "-host.com/x",
    ])
    func malformedReferencesAreRefusedWithAReason(_ reference: String) {
        let problem = ImageReferenceSyntax.problem(in: reference)
        #expect(problem != nil, "\(reference)")
        #expect(problem?.isEmpty == false)
    }

    @Test func theReasonNamesTheFaultyPart() {
        #expect(ImageReferenceSyntax.problem(in: "-v")?.contains("'-v'") == true)
        #expect(ImageReferenceSyntax.problem(in: "x@sha256:abc")?.contains("64 hex digits") == true)
        #expect(ImageReferenceSyntax.problem(in: "Nginx:1")?.contains("lower-case") == true)
    }

    @Test func theRegistryIsTheFirstComponentOnlyWhenItLooksLikeAHost() {
        #expect(ImageReferenceSyntax.registry(of: "nginx:1") == "docker.io")
        #expect(ImageReferenceSyntax.registry(of: "library/nginx") == "docker.io")
        #expect(ImageReferenceSyntax.registry(of: "ghcr.io/org/app:1") == "ghcr.io")
        #expect(ImageReferenceSyntax.registry(of: "localhost/app") == "localhost")
        #expect(ImageReferenceSyntax.registry(of: "127.0.0.1:9/x:1") == "127.0.0.1:9")
    }
}
