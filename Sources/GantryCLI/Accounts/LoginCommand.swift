import ArgumentParser
import Foundation
import GantryOpenAPI

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in and save an access token for later commands.",
        discussion: "The token is saved in config.json under $GANTRY_CONFIG_DIR, $XDG_CONFIG_HOME/gantry or "
            + "~/.config/gantry, readable only by you. Missing credentials are asked for when stdin is a terminal."
    )

    @Option(help: "Gantry server URL (default: $GANTRY_URL, the last server logged in to, or http://127.0.0.1:8080).")
    var server: String?
    @Option(help: "Username or email.") var username: String?
    @Option(help: "Password (prefer --password-stdin; this one ends up in shell history).") var password: String?
    @Flag(name: .customLong("password-stdin"), help: "Read the password from stdin.") var passwordStdin = false

    func validate() throws {
        if password != nil && passwordStdin {
            throw ValidationError("give either --password or --password-stdin, not both")
        }
    }

    func run() async throws {
        try await CommandRunner.run {
            let environment = ProcessInfo.processInfo.environment
            let store = CLIConfigStore(environment: environment)
            let server = ConnectionSettings.resolve(
                serverOption: server, tokenOption: nil, environment: environment, config: try store.load()
            ).server
            // Validate the URL before asking for a password that could not be used anyway.
            _ = try ConnectionSettings.url(for: server)
            let username = try SecretInput.value(option: username, prompt: "Username: ", flag: "--username")
            let password = try SecretInput.password(option: password, fromStdin: passwordStdin, confirm: false)

            let (token, user) = try await GantryAPIClient.withSession(server: server, token: nil, json: false) { api in
                let issued: Components.Schemas.TokenResponse
                let credentials = Components.Schemas.TokenRequest(username: username, password: password)
                switch try await api.client.createToken(body: .json(credentials)) {
                case .ok(let ok): issued = try ok.body.json
                default: throw CLIError.unexpectedResponse(Operations.CreateToken.id)
                }
                // Confirms the token works and gives the canonical username (the login may have been an email).
                let user: Components.Schemas.User
                switch try await api.client(token: issued.accessToken).getCurrentUser() {
                case .ok(let ok): user = try ok.body.json
                default: throw CLIError.unexpectedResponse(Operations.GetCurrentUser.id)
                }
                return (issued.accessToken, user)
            }
            try store.save(CLIConfig(server: server, token: token))
            Console.out("Logged in to \(server) as \(user.username)")
        }
    }
}

struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout", abstract: "Forget the saved access token.")

    func run() async throws {
        try await CommandRunner.run {
            let store = CLIConfigStore()
            let config = try store.load()
            if try store.removeToken(), let config {
                Console.out("Logged out of \(config.server)")
            } else {
                Console.out("Not logged in")
            }
        }
    }
}

struct WhoAmICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami", abstract: "Show the signed-in user and the server.")

    @OptionGroup var options: APIOptions

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let user = try await api.currentUser()
            try api.emit(user) { "\(user.username) (\(user.role.rawValue)) on \(api.server)\n" }
        }
    }
}
