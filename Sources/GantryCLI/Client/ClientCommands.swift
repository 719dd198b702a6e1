import ArgumentParser

/// The client side of the `gantry` executable. The root command lists these next to `serve`:
///
///     subcommands: [ServeCommand.self] + ClientCommands.all
public enum ClientCommands {
    public static var all: [any ParsableCommand.Type] {
        [
            LoginCommand.self,
            LogoutCommand.self,
            WhoAmICommand.self,
            InstancesCommand.self,
            ImagesCommand.self,
            QuotaCommand.self,
            UsersCommand.self,
            APIKeysCommand.self,
            NodesCommand.self,
            ClusterCommand.self,
            GPUsCommand.self,
            SessionsCommand.self,
            SSHKeysCommand.self,
            PluginsCommand.self,
            JobsCommand.self,
        ]
    }
}
