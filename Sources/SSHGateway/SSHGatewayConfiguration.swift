import NIOSSH

/// How the SSH gateway listens and how long it lets connections live.
public struct SSHGatewayConfiguration: Sendable {
    /// Address to listen on.
    public var host: String
    /// Port to listen on; 0 picks a free one (see `SSHGateway.start()`).
    public var port: Int
    public var hostKey: NIOSSHPrivateKey
    /// A signed-in connection with no channel data or requests in either direction for this long
    /// is closed, and its programs with it; `.zero` disables.
    public var idleTimeout: Duration
    /// A connection that has not signed in this long after connecting is closed.
    public var loginGraceTime: Duration
    /// A connection that has sent nothing (not even its version line) this long after
    /// connecting is closed: real clients speak first within milliseconds.
    public var versionExchangeTimeout: Duration
    /// Limits on connections that have not signed in yet (OpenSSH's `MaxStartups` and
    /// per-source penalties), so idle connections cannot lock users out.
    public var startups: SSHStartupLimits
    /// TCP keepalive probe interval for dead-peer detection; `.zero` disables.
    ///
    /// nio-ssh 0.15.1 offers no public way for a server to send `keepalive@openssh.com` global or
    /// channel requests (its generic `sendGlobalRequestMessage` is internal), so liveness is left
    /// to the kernel: `SO_KEEPALIVE` with the first probe and the probe interval set to this value,
    /// and the connection dropped after `tcpKeepAliveProbes` unanswered probes.
    public var tcpKeepAliveInterval: Duration
    public var tcpKeepAliveProbes: Int
    /// How often `ShellAccess.keepAlive` is called for a connection's target while it stays open.
    public var targetKeepAliveInterval: Duration
    /// How often the signed-in users are checked against their accounts: a deactivated or
    /// removed user's connections are closed, and their programs with them.
    public var accessRecheckInterval: Duration
    /// Connections beyond this many are closed as soon as they are accepted.
    public var maxConnections: Int
    /// `SSH_MSG_USERAUTH_REQUEST`s allowed per connection (each key a client offers usually takes
    /// two: a query and a signed request).
    public var maxAuthAttempts: Int
    /// The largest channel data packet we accept. nio-ssh advertises a per-channel receive window of
    /// 64 times this (8 MiB at the default 128 KiB), which is what bounds upload throughput on
    /// long-latency links.
    public var maximumPacketSize: Int

    public init(
        host: String = "0.0.0.0",
        port: Int = 2222,
        hostKey: NIOSSHPrivateKey,
        idleTimeout: Duration = .seconds(15 * 60),
        loginGraceTime: Duration = .seconds(60),
        versionExchangeTimeout: Duration = .seconds(10),
        startups: SSHStartupLimits = SSHStartupLimits(),
        tcpKeepAliveInterval: Duration = .seconds(30),
        tcpKeepAliveProbes: Int = 4,
        targetKeepAliveInterval: Duration = .seconds(60),
        accessRecheckInterval: Duration = .seconds(2),
        maxConnections: Int = 1000,
        maxAuthAttempts: Int = 20,
        maximumPacketSize: Int = 128 * 1024
    ) {
        self.host = host
        self.port = port
        self.hostKey = hostKey
        self.idleTimeout = idleTimeout
        self.loginGraceTime = loginGraceTime
        self.versionExchangeTimeout = versionExchangeTimeout
        self.startups = startups
        self.tcpKeepAliveInterval = tcpKeepAliveInterval
        self.tcpKeepAliveProbes = tcpKeepAliveProbes
        self.targetKeepAliveInterval = targetKeepAliveInterval
        self.accessRecheckInterval = accessRecheckInterval
        self.maxConnections = maxConnections
        self.maxAuthAttempts = maxAuthAttempts
        self.maximumPacketSize = maximumPacketSize
    }

    /// The same, taking the host key in the form the composition root persists.
    public init(
        host: String = "0.0.0.0",
        port: Int = 2222,
        hostKey: SSHHostKey,
        idleTimeout: Duration = .seconds(15 * 60),
        loginGraceTime: Duration = .seconds(60),
        versionExchangeTimeout: Duration = .seconds(10),
        startups: SSHStartupLimits = SSHStartupLimits(),
        tcpKeepAliveInterval: Duration = .seconds(30),
        tcpKeepAliveProbes: Int = 4,
        targetKeepAliveInterval: Duration = .seconds(60),
        accessRecheckInterval: Duration = .seconds(2),
        maxConnections: Int = 1000,
        maxAuthAttempts: Int = 20,
        maximumPacketSize: Int = 128 * 1024
    ) {
        self.init(
            host: host, port: port, hostKey: hostKey.privateKey, idleTimeout: idleTimeout,
            loginGraceTime: loginGraceTime, versionExchangeTimeout: versionExchangeTimeout, startups: startups,
            tcpKeepAliveInterval: tcpKeepAliveInterval, tcpKeepAliveProbes: tcpKeepAliveProbes,
            targetKeepAliveInterval: targetKeepAliveInterval, accessRecheckInterval: accessRecheckInterval,
            maxConnections: maxConnections,
            maxAuthAttempts: maxAuthAttempts, maximumPacketSize: maximumPacketSize)
    }
}
