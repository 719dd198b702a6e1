import Foundation
import Hummingbird

/// The dashboard's cookies. All are HttpOnly and scoped to `/dashboard`; the session cookie is
/// SameSite=Lax (links from elsewhere still arrive signed in; every form also needs its CSRF
/// token), the sign-in form's CSRF cookie Strict.
enum DashboardCookies {
    static let session = "gantry_session"
    static let loginCSRF = "gantry_login_csrf"
    static let flash = "gantry_flash"

    static func session(_ token: String, maxAge: Int, secure: Bool) -> Cookie {
        Cookie(
            name: session, value: token, maxAge: maxAge, path: "/dashboard", secure: secure, httpOnly: true,
            sameSite: .lax)
    }

    static func clearSession(secure: Bool) -> Cookie {
        Cookie(name: session, value: "", maxAge: 0, path: "/dashboard", secure: secure, httpOnly: true, sameSite: .lax)
    }

    static func loginCSRF(_ value: String, secure: Bool) -> Cookie {
        Cookie(
            name: loginCSRF, value: value, maxAge: 3600, path: "/dashboard/login", secure: secure, httpOnly: true,
            sameSite: .strict)
    }

    static func flash(_ flash: Flash, secure: Bool) -> Cookie {
        let payload = Data("\(flash.kind.rawValue)|\(flash.message)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return Cookie(
            name: self.flash, value: payload, maxAge: 60, path: "/dashboard", secure: secure, httpOnly: true,
            sameSite: .lax)
    }

    static func clearFlash(secure: Bool) -> Cookie {
        Cookie(name: flash, value: "", maxAge: 0, path: "/dashboard", secure: secure, httpOnly: true, sameSite: .lax)
    }

    static func readFlash(_ request: Request) -> Flash? {
        guard let value = request.cookies[flash]?.value, !value.isEmpty else { return nil }
        var base64 = value.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            let bar = text.firstIndex(of: "|"), let kind = Flash.Kind(rawValue: String(text[..<bar]))
        else { return nil }
        let message = String(text[text.index(after: bar)...])
        return message.isEmpty ? nil : Flash(kind: kind, message: String(message.prefix(500)))
    }
}
