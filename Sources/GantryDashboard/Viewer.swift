import Foundation
import GantryCore
import GantryServices

/// The signed-in person looking at a page, and what their forms must carry.
struct Viewer: Sendable {
    var principal: Principal
    var sessionToken: String
    var csrf: String

    var user: User { principal.user }
    var isAdmin: Bool { principal.isAdmin }
}
