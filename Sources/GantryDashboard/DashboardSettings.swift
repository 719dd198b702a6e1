import Foundation

/// What the dashboard needs from the server's configuration.
public struct DashboardSettings: Sendable {
    /// Visitors are signed in as the demo user without a password (seed 000's demo mode).
    public var demoMode: Bool
    /// Cookies get `Secure` (serve over HTTPS when on).
    public var secureCookies: Bool
    /// Linked from every page when set.
    public var rayDashboardURL: String?
    /// Shown in the footer.
    public var version: String

    public init(demoMode: Bool = false, secureCookies: Bool = false, rayDashboardURL: String? = nil, version: String) {
        self.demoMode = demoMode
        self.secureCookies = secureCookies
        self.rayDashboardURL = rayDashboardURL
        self.version = version
    }
}
