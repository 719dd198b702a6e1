import AsyncHTTPClient
import Foundation
import GantryOpenAPI
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

/// One command invocation's connection to the API: the generated `Client` over a dedicated `HTTPClient`
/// that is shut down before the command returns, whether it succeeded or not.
struct GantryAPIClient: Sendable {
    let server: String
    let serverURL: URL
    let token: String?
    /// Whether the user asked for `--json`; commands print tables otherwise.
    let json: Bool
    private let httpClient: HTTPClient

    /// The generated client, sending the token when there is one.
    var client: Client { client(token: token) }

    /// A client with a different token, for `login`, which only has one halfway through.
    func client(token: String?) -> Client {
        // The error middleware comes first so it sees the final response of every request.
        var middlewares: [any ClientMiddleware] = [APIErrorMiddleware(), NumberLiteralClientMiddleware()]
        if let token { middlewares.append(BearerAuthMiddleware(token: token)) }
        return Client(
            serverURL: serverURL,
            configuration: Configuration(dateTranscoder: LenientISO8601DateTranscoder()),
            transport: AsyncHTTPClientTransport(configuration: .init(client: httpClient)),
            middlewares: middlewares
        )
    }

    /// Resolves server and token from `options`, the environment and the saved login, runs `body`, and prints
    /// any failure as `error: ...` with exit status 1.
    static func run(
        _ options: APIOptions,
        requireToken: Bool = true,
        _ body: (GantryAPIClient) async throws -> Void
    ) async throws {
        try await CommandRunner.run {
            let environment = ProcessInfo.processInfo.environment
            let settings = ConnectionSettings.resolve(
                serverOption: options.server,
                tokenOption: options.token,
                environment: environment,
                config: try CLIConfigStore(environment: environment).load()
            )
            if requireToken && settings.token == nil { throw CLIError.notLoggedIn }
            try await withSession(server: settings.server, token: settings.token, json: options.json, body)
        }
    }

    /// Opens the HTTP client, runs `body`, and closes the client on every path; errors come out as `CLIError`s
    /// that name the server.
    static func withSession<Result>(
        server: String,
        token: String?,
        json: Bool,
        _ body: (GantryAPIClient) async throws -> Result
    ) async throws -> Result {
        let serverURL = try ConnectionSettings.url(for: server)
        var configuration = HTTPClient.Configuration()
        // A CLI should say "connection refused" at once instead of retrying until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let api = GantryAPIClient(
            server: server, serverURL: serverURL, token: token, json: json, httpClient: httpClient)
        let result: Result
        do {
            // One set of number literals for the whole command: what a response carried is still
            // exact when the command prints it or sends it back.
            result = try await NumberLiterals.$current.withValue(NumberLiterals()) { try await body(api) }
        } catch {
            // The command's error matters more than a failure to close idle connections.
            try? await httpClient.shutdown()
            throw translate(error, server: server)
        }
        try await httpClient.shutdown()
        return result
    }

    /// Unwraps the runtime's `ClientError`: our middleware's `CLIError`s come out as they are, transport
    /// failures become "cannot reach", anything else is a response we could not read.
    static func translate(_ error: any Error, server: String) -> any Error {
        if CommandRunner.isArgumentParserControl(error) { return error }
        switch error {
        case let error as CLIError:
            return error
        case let error as ClientError:
            if let cliError = error.underlyingError as? CLIError { return cliError }
            if error.response == nil && error.request != nil {
                return CLIError.unreachable(
                    server: server, reason: TransportErrorReason.describe(error.underlyingError))
            }
            return CLIError.unexpected(
                "could not read the server's response to \(error.operationID): \(error.underlyingError)")
        default:
            return CLIError.unexpected("\(error)")
        }
    }
}
