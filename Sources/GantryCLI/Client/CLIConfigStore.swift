import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `gantry login` remembers between invocations.
struct CLIConfig: Codable, Equatable, Sendable {
    var server: String
    var token: String?
}

/// Reads and writes `config.json` in the user's config directory. The file holds a bearer token, so it is
/// created 0600 inside a 0700 directory and replaced atomically — never left half-written or world-readable.
struct CLIConfigStore: Sendable {
    var directory: URL

    var fileURL: URL { directory.appendingPathComponent("config.json", isDirectory: false) }

    init(directory: URL) {
        self.directory = directory
    }

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(directory: Self.defaultDirectory(environment: environment))
    }

    /// `$GANTRY_CONFIG_DIR`, else `$XDG_CONFIG_HOME/gantry`, else `~/.config/gantry`. Empty variables count
    /// as unset, as the XDG spec asks.
    static func defaultDirectory(environment: [String: String]) -> URL {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        if let dir = value("GANTRY_CONFIG_DIR") {
            return URL(fileURLWithPath: dir, isDirectory: true)
        }
        if let xdg = value("XDG_CONFIG_HOME") {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("gantry", isDirectory: true)
        }
        let home = value("HOME") ?? FileManager.default.homeDirectoryForCurrentUser.path
        return URL(fileURLWithPath: home, isDirectory: true)
            .appendingPathComponent(".config", isDirectory: true)
            .appendingPathComponent("gantry", isDirectory: true)
    }

    /// The saved config, or nil when there is none yet.
    func load() throws -> CLIConfig? {
        let data: Data
        do {
            data = try Data(contentsOf: fileURL)
        } catch {
            if !FileManager.default.fileExists(atPath: fileURL.path) { return nil }
            throw CLIError.config("cannot read \(fileURL.path): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(CLIConfig.self, from: data)
        } catch {
            throw CLIError.config("\(fileURL.path) is not a valid Gantry config; run `gantry login` again")
        }
    }

    func save(_ config: CLIConfig) throws {
        try createDirectoryIfNeeded()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(config)
        } catch {
            throw CLIError.config("cannot encode the config: \(error)")
        }
        try writeAtomically(data + Data("\n".utf8))
    }

    /// Forgets the token but keeps the server, so the next `gantry login` offers the same one.
    /// Returns whether there was a token to forget.
    @discardableResult
    func removeToken() throws -> Bool {
        guard var config = try load(), config.token != nil else { return false }
        config.token = nil
        try save(config)
        return true
    }

    private func createDirectoryIfNeeded() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw CLIError.config("\(directory.path) exists and is not a directory")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            // createDirectory's attributes are subject to the umask; make sure it ends up exactly 0700.
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        } catch {
            throw CLIError.config("cannot create \(directory.path): \(error.localizedDescription)")
        }
    }

    /// Writes to a 0600 temporary file opened with O_EXCL, then renames it over the config: the token is never
    /// readable by others, even for a moment, and a crash leaves the old file intact.
    private func writeAtomically(_ data: Data) throws {
        let path = fileURL.path
        let temporary = directory.appendingPathComponent(".config.json.\(getpid()).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw CLIError.config("cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            unlink(temporary)
            throw CLIError.config("cannot write \(temporary): \(error.localizedDescription)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CLIError.config("cannot replace \(path): \(reason)")
        }
    }
}
