import Foundation
import Testing

@testable import GantryCLI

@Suite struct APIErrorDecodingTests {
    @Test func decodesTheContractErrorBody() {
        let body = Data(#"{"error":"quota_exceeded","detail":"cpu quota exceeded","resource":"cpu"}"#.utf8)
        let failure = APIErrorMiddleware.failure(status: 403, reasonPhrase: "Forbidden", body: body)
        #expect(failure.status == 403)
        #expect(failure.code == "quota_exceeded")
        #expect(failure.detail == "cpu quota exceeded")
        #expect(failure.resource == "cpu")
        #expect(CLIError.api(failure).lines == ["error: cpu quota exceeded (quota_exceeded)"])
    }

    @Test func capacityErrorsListEveryNodesReasons() {
        let body = Data(
            """
            {"error": "insufficient_capacity", "detail": "no node can fit 4 GPUs",
             "nodes": [{"node": "gpu-1", "reasons": ["gpus: 2 free, 4 needed", "cpu: 1 free, 8 needed"]},
                       {"node": "gpu-2", "reasons": ["offline"]}]}
            """.utf8)
        let failure = APIErrorMiddleware.failure(status: 409, reasonPhrase: "Conflict", body: body)
        #expect(
            CLIError.api(failure).lines == [
                "error: no node can fit 4 GPUs (insufficient_capacity)",
                "  gpu-1: gpus: 2 free, 4 needed",
                "  gpu-1: cpu: 1 free, 8 needed",
                "  gpu-2: offline",
            ])
    }

    @Test func nonContractBodiesFallBackToTheStatusLine() {
        let html = APIErrorMiddleware.failure(
            status: 502, reasonPhrase: "Bad Gateway", body: Data("upstream down\n".utf8))
        #expect(html.code == "http_502")
        #expect(html.detail == "HTTP 502 Bad Gateway: upstream down")

        let empty = APIErrorMiddleware.failure(status: 500, reasonPhrase: "", body: Data())
        #expect(CLIError.api(empty).lines == ["error: HTTP 500 (http_500)"])
    }

    @Test func otherErrorsReadAsDocumented() {
        #expect(CLIError.notLoggedIn.lines == ["error: not logged in: run `gantry login`"])
        #expect(
            CLIError.unreachable(server: "http://127.0.0.1:8080", reason: "connection refused").lines
                == ["error: cannot reach http://127.0.0.1:8080: connection refused"])
        #expect(
            CLIError.instanceFailed(name: "web", state: "failed", reason: "image not found").lines
                == ["error: instance web failed: image not found"])
        #expect(
            CLIError.instanceFailed(name: "web", state: "terminated", reason: nil).lines
                == ["error: instance web is terminated"])
    }

    @Test func transportReasonsAreShortened() {
        let nio =
            "Connection errors: SingleConnectionFailure(target: [IPv4]127.0.0.1/127.0.0.1:8080, error: "
            + "connect(descriptor:addr:size:): Connection refused (errno: 111))"
        #expect(TransportErrorReason.describe(nio) == "connection refused")
        #expect(TransportErrorReason.describe("HTTPClientError.connectTimeout") == "connection timed out")
        #expect(TransportErrorReason.describe("something new") == "something new")
    }
}
