import HTTPTypes
import Hummingbird
import Logging

/// The id of the request being served, for log lines written outside the request's own logger
/// (services, adapters): the logging metadata provider adds it to every line.
public enum RequestIDContext {
    @TaskLocal public static var current: String?

    public static let metadataProvider = Logger.MetadataProvider {
        current.map { ["hb.request.id": .string($0)] } ?? [:]
    }
}

/// Echoes the request id that also tags every log line of the request, so a user's report can
/// be matched to the logs.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    static var header: HTTPField.Name? { HTTPField.Name("X-Request-ID") }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        var response = try await RequestIDContext.$current.withValue(context.id) {
            try await next(request, context)
        }
        if let header = Self.header { response.headers[header] = context.id }
        return response
    }
}
