import Foundation
import GantryServices

/// One item of the main navigation.
struct NavItem: Sendable {
    var label: String
    var href: String
    var current: Bool
}

/// A one-shot message carried across a redirect (post, redirect, get).
struct Flash: Sendable, Equatable {
    enum Kind: String, Sendable { case success, error }
    var kind: Kind
    var message: String

    var isError: Bool { kind == .error }
}

/// What every signed-in page shares: title, navigation, the viewer, the CSRF token, the flash
/// message and the footer links. The page's own view model is `body`.
struct PageFrame<Body: Sendable>: Sendable {
    var title: String
    var nav: [NavItem]
    var username: String
    var isAdmin: Bool
    var csrf: String
    var flash: Flash?
    var rayDashboardURL: String?
    var version: String
    var assetVersion: String
    var body: Body
}

/// The sections of the navigation; `section` picks the current one.
enum DashboardSection: String, Sendable, CaseIterable {
    case overview, instances, sessions, gpus, jobs, plugins, users, images, account

    var label: String {
        switch self {
        case .overview: "Overview"
        case .instances: "Instances"
        case .sessions: "GPU sessions"
        case .gpus: "GPUs"
        case .jobs: "Jobs"
        case .plugins: "Plugins"
        case .users: "Users"
        case .images: "Images"
        case .account: "Account"
        }
    }

    var href: String {
        switch self {
        case .overview: "/dashboard"
        case .users: "/dashboard/admin/users"
        case .images: "/dashboard/admin/images"
        default: "/dashboard/\(rawValue)"
        }
    }

    var adminOnly: Bool { self == .users || self == .images }

    static func navigation(current: DashboardSection?, isAdmin: Bool) -> [NavItem] {
        allCases.filter { isAdmin || !$0.adminOnly }.map {
            NavItem(label: $0.label, href: $0.href, current: $0 == current)
        }
    }
}
