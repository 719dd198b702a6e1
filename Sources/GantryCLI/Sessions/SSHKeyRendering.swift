import Foundation
import GantryOpenAPI

/// How SSH keys look to people. Keys are told apart by fingerprint, which is also what `ssh-keygen -l` and the
/// SSH client print, so it is shown in full.
enum SSHKeyRendering {
    static func table(_ keys: [Components.Schemas.SSHKey], now: Date) -> String {
        TableRenderer("ID", "NAME", "TYPE", "FINGERPRINT", "ADDED", "LAST USED").render(
            keys.map { key in
                [
                    Format.shortID(key.id), Format.orDash(key.name), key._type, key.fingerprint,
                    Format.age(of: key.createdAt, now: now) + " ago",
                    key.lastUsedAt.map { Format.age(of: $0, now: now) + " ago" } ?? "never",
                ]
            })
    }

    /// After `add`: the fingerprint, to compare with `ssh-keygen -lf KEY`.
    static func added(_ key: Components.Schemas.SSHKey) -> String {
        "Added SSH key \(Format.orDash(key.name)) (\(Format.shortID(key.id)))\n\(key._type) \(key.fingerprint)\n"
    }
}
