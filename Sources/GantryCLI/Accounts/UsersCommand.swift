import ArgumentParser
import Foundation
import GantryOpenAPI

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Manage users (admin).",
        discussion: "Where a USER is expected, give their ID, username or email.",
        subcommands: [
            UsersListCommand.self, UserCreateCommand.self, UserShowCommand.self, UserActivateCommand.self,
            UserDeactivateCommand.self, UserSetQuotaCommand.self, UserSetRoleCommand.self,
        ]
    )
}

/// `admin` or `user` on the command line, mapped to the contract's role.
enum RoleArgument: String, CaseIterable, ExpressibleByArgument, Sendable {
    case admin
    case user

    var role: Components.Schemas.Role {
        switch self {
        case .admin: .admin
        case .user: .user
        }
    }
}

enum UserRendering {
    static func table(_ users: [Components.Schemas.User]) -> String {
        TableRenderer("ID", "USERNAME", "EMAIL", "ROLE", "ACTIVE").render(
            users.map { user in
                [user.id, user.username, user.email, user.role.rawValue, Format.yesNo(user.isActive)]
            })
    }

    static func details(_ user: Components.Schemas.User) -> String {
        DetailRenderer.render([
            ("ID", user.id),
            ("Username", user.username),
            ("Email", user.email),
            ("Full name", Format.orDash(user.fullName)),
            ("Role", user.role.rawValue),
            ("Active", Format.yesNo(user.isActive)),
            ("Quota override", quotaOverride(user.quotaOverride)),
            ("Created", Format.timestamp(user.createdAt)),
        ])
    }

    /// `instances=4 cpu=8 memory_mb=default gpus=default`; absent fields use the installation default.
    static func quotaOverride(_ quota: Components.Schemas.QuotaOverride?) -> String {
        guard let quota, quota.instances != nil || quota.cpu != nil || quota.memoryMb != nil || quota.gpus != nil
        else { return "none (installation defaults)" }
        func text(_ value: String?) -> String { value ?? "default" }
        return [
            "instances=\(text(quota.instances.map(String.init)))",
            "cpu=\(text(quota.cpu.map(Format.cpu)))",
            "memory_mb=\(text(quota.memoryMb.map(String.init)))",
            "gpus=\(text(quota.gpus.map(String.init)))",
        ].joined(separator: " ")
    }
}

struct UsersListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List users.", aliases: ["ls"])

    @OptionGroup var options: APIOptions
    @OptionGroup var page: PageOptions

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let list: Components.Schemas.UserList
            switch try await api.client.listUsers(query: .init(skip: page.skip, limit: page.limit)) {
            case .ok(let ok): list = try ok.body.json
            default: throw CLIError.unexpectedResponse(Operations.ListUsers.id)
            }
            try api.emit(list) { UserRendering.table(list.items) }
            api.notePaging(shown: list.items.count, skip: page.skip, total: list.total)
        }
    }
}

struct UserCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a user (admin, or anyone when open sign-up is on).",
        discussion: "Without --password or --password-stdin, the password is asked for twice without echo."
    )

    @OptionGroup var options: APIOptions
    @Option(help: "Email address.") var email: String
    @Option(help: "Username: lowercase letters, digits and dashes; also the SSH login name.") var username: String
    @Option(help: "Password (prefer --password-stdin; this one ends up in shell history).") var password: String?
    @Flag(name: .customLong("password-stdin"), help: "Read the password from stdin.") var passwordStdin = false
    @Option(name: .customLong("full-name"), help: "Full name.") var fullName: String?
    @Option(help: "Role: admin or user (default user).") var role: RoleArgument?

    func validate() throws {
        if password != nil && passwordStdin {
            throw ValidationError("give either --password or --password-stdin, not both")
        }
    }

    func run() async throws {
        // Open sign-up needs no token, so one is sent only when there is one.
        try await GantryAPIClient.run(options, requireToken: false) { api in
            let secret = try SecretInput.password(option: password, fromStdin: passwordStdin, confirm: true)
            let request = Components.Schemas.NewUser(
                email: email, username: username, password: secret, fullName: fullName, role: role?.role)
            let user: Components.Schemas.User
            switch try await api.client.createUser(body: .json(request)) {
            case .created(let created): user = try created.body.json
            default: throw CLIError.unexpectedResponse(Operations.CreateUser.id)
            }
            try api.emit(user) { "Created \(user.role.rawValue) \(user.username) (\(user.id))\n" }
        }
    }
}

struct UserShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a user (admin, or yourself).")

    @OptionGroup var options: APIOptions
    @Argument(help: "User ID, username or email.") var user: String

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let found = try await api.user(id: try await api.userID(for: user))
            try api.emit(found) { UserRendering.details(found) }
        }
    }
}

/// Activation and deactivation are the same PATCH with a different flag.
enum UserActivation {
    static func run(active: Bool, reference: String, options: APIOptions) async throws {
        try await GantryAPIClient.run(options) { api in
            let id = try await api.userID(for: reference)
            let user = try await api.updateUser(id: id, .init(isActive: active))
            try api.emit(user) { "\(user.username) is now \(user.isActive ? "active" : "inactive")\n" }
        }
    }
}

struct UserActivateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "activate", abstract: "Let a user sign in again.")

    @OptionGroup var options: APIOptions
    @Argument(help: "User ID, username or email.") var user: String

    func run() async throws {
        try await UserActivation.run(active: true, reference: user, options: options)
    }
}

struct UserDeactivateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deactivate", abstract: "Stop a user from signing in; their instances are not touched.")

    @OptionGroup var options: APIOptions
    @Argument(help: "User ID, username or email.") var user: String

    func run() async throws {
        try await UserActivation.run(active: false, reference: user, options: options)
    }
}

struct UserSetQuotaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-quota",
        abstract: "Override a user's quota limits.",
        discussion: "Limits not given keep their current override; --reset drops those back to the "
            + "installation defaults."
    )

    @OptionGroup var options: APIOptions
    @Argument(help: "User ID, username or email.") var user: String
    @Option(help: "Most instances at once.") var instances: Int?
    @Option(help: "Most CPU cores in total.") var cpu: Double?
    @Option(name: .customLong("memory-mb"), help: "Most memory in MB in total.") var memoryMb: Int?
    @Option(help: "Most GPUs in total.") var gpus: Int?
    @Flag(help: "Use installation defaults for every limit not given here.") var reset = false

    func validate() throws {
        guard reset || instances != nil || cpu != nil || memoryMb != nil || gpus != nil else {
            throw ValidationError("give at least one of --instances, --cpu, --memory-mb, --gpus, or --reset")
        }
    }

    /// The API replaces the whole override, so unspecified limits are carried over from the current one.
    static func merged(
        _ current: Components.Schemas.QuotaOverride?,
        instances: Int?, cpu: Double?, memoryMb: Int?, gpus: Int?, reset: Bool
    ) -> Components.Schemas.QuotaOverride {
        let base = reset ? Components.Schemas.QuotaOverride() : current ?? Components.Schemas.QuotaOverride()
        return Components.Schemas.QuotaOverride(
            instances: instances ?? base.instances,
            cpu: cpu ?? base.cpu,
            memoryMb: memoryMb ?? base.memoryMb,
            gpus: gpus ?? base.gpus
        )
    }

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let id = try await api.userID(for: user)
            let current = try await api.user(id: id).quotaOverride
            let quota = Self.merged(
                current, instances: instances, cpu: cpu, memoryMb: memoryMb, gpus: gpus, reset: reset)
            let updated = try await api.updateUser(id: id, .init(quota: quota))
            try api.emit(updated) {
                "Quota override for \(updated.username): \(UserRendering.quotaOverride(updated.quotaOverride))\n"
            }
        }
    }
}

struct UserSetRoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-role", abstract: "Make a user an admin, or an ordinary user.")

    @OptionGroup var options: APIOptions
    @Argument(help: "User ID, username or email.") var user: String
    @Argument(help: "admin or user.") var role: RoleArgument

    func run() async throws {
        try await GantryAPIClient.run(options) { api in
            let id = try await api.userID(for: user)
            let updated = try await api.updateUser(id: id, .init(role: role.role))
            try api.emit(updated) { "\(updated.username) is now \(updated.role == .admin ? "an admin" : "a user")\n" }
        }
    }
}
