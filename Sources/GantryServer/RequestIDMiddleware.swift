import HTTPTypes
import Hummingbird

/// Echoes the request id that also tags every log line of the request, so a user's report can
/// be matched to the logs.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    static var header: HTTPField.Name? { HTTPField.Name("X-Request-ID") }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        var response = try await next(request, context)
        if let header = Self.header { response.headers[header] = context.id }
        return response
    }
}
