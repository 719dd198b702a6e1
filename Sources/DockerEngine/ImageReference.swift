/// An image reference split the way the engine's `POST /images/create` wants it: `fromImage` is the
/// repository (registry host and port included), `tag` is the tag or the digest.
struct ImageReference: Sendable, Equatable {
    var repository: String
    var tag: String?
    var digest: String?

    init(repository: String, tag: String? = nil, digest: String? = nil) {
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    init(parsing reference: String) {
        var name = Substring(reference)
        digest = nil
        if let at = name.firstIndex(of: "@") {
            let value = name[name.index(after: at)...]
            digest = value.isEmpty ? nil : String(value)
            name = name[..<at]
        }
        // A colon names a tag only after the last slash; before it, it is a registry port (localhost:5000/x).
        let lastSlash = name.lastIndex(of: "/")
        let searchFrom = lastSlash.map { name.index(after: $0) } ?? name.startIndex
        if let colon = name[searchFrom...].lastIndex(of: ":") {
            let value = name[name.index(after: colon)...]
            tag = value.isEmpty ? nil : String(value)
            name = name[..<colon]
        } else {
            tag = nil
        }
        repository = String(name)
    }

    /// What goes in the `tag` query parameter: the digest wins over a tag (as the docker CLI does),
    /// and an untagged reference means `latest`.
    var apiTag: String { digest ?? tag ?? "latest" }
}
