import Foundation
import Testing

@testable import GantryCLI

@Suite struct CLIConfigStoreTests {
    /// A fresh, not yet created directory under the system temp dir; each test removes it with `defer`.
    private func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("gantry-cli-tests-\(UUID().uuidString)", isDirectory: true)
    }

    private func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func loadReturnsNilWhenNothingWasSaved() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try CLIConfigStore(directory: root.appendingPathComponent("gantry")).load() == nil)
    }

    @Test func saveThenLoadRoundTrips() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CLIConfigStore(directory: root.appendingPathComponent("gantry"))
        let config = CLIConfig(server: "http://gantry.example:8080", token: "secret-token")
        try store.save(config)
        #expect(try store.load() == config)

        let replaced = CLIConfig(server: "https://other.example", token: "another")
        try store.save(replaced)
        #expect(try store.load() == replaced)
    }

    @Test func fileIsPrivateAndDirectoryIsPrivate() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("nested/gantry")
        let store = CLIConfigStore(directory: directory)
        try store.save(CLIConfig(server: "http://127.0.0.1:8080", token: "t"))
        #expect(try permissions(store.fileURL.path) == 0o600)
        #expect(try permissions(directory.path) == 0o700)
        // No temporary file is left behind.
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(entries == ["config.json"])
    }

    @Test func savedFileIsTheDocumentedJSON() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CLIConfigStore(directory: root)
        try store.save(CLIConfig(server: "http://127.0.0.1:8080", token: "abc"))
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: store.fileURL)) as? [String: String]
        #expect(object == ["server": "http://127.0.0.1:8080", "token": "abc"])
    }

    @Test func removeTokenKeepsTheServer() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CLIConfigStore(directory: root)
        #expect(try store.removeToken() == false)
        try store.save(CLIConfig(server: "http://a:1", token: "t"))
        #expect(try store.removeToken() == true)
        #expect(try store.load() == CLIConfig(server: "http://a:1", token: nil))
        #expect(try store.removeToken() == false)
    }

    @Test func corruptFileIsAConfigError() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = CLIConfigStore(directory: root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data("not json".utf8).write(to: store.fileURL)
        #expect(throws: CLIError.self) { try store.load() }
    }

    @Test func directoryFollowsGantryThenXDGThenHome() {
        #expect(
            CLIConfigStore.defaultDirectory(environment: [
                "GANTRY_CONFIG_DIR": "/etc/g", "XDG_CONFIG_HOME": "/x", "HOME": "/home/u",
            ]).path == "/etc/g")
        #expect(
            CLIConfigStore.defaultDirectory(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/home/u"]).path
                == "/x/gantry")
        #expect(
            CLIConfigStore.defaultDirectory(environment: ["GANTRY_CONFIG_DIR": "", "HOME": "/home/u"]).path
                == "/home/u/.config/gantry")
    }
}

@Suite struct ConnectionSettingsTests {
    @Test func flagsBeatEnvironmentWhichBeatsTheSavedLogin() {
        let config = CLIConfig(server: "http://saved:8080", token: "saved-token")
        let environment = ["GANTRY_URL": "http://env:8080", "GANTRY_TOKEN": "env-token"]

        let fromFlags = ConnectionSettings.resolve(
            serverOption: "http://flag:8080", tokenOption: "flag-token", environment: environment, config: config)
        #expect(fromFlags == ConnectionSettings(server: "http://flag:8080", token: "flag-token"))

        let fromEnvironment = ConnectionSettings.resolve(
            serverOption: nil, tokenOption: nil, environment: environment, config: config)
        #expect(fromEnvironment == ConnectionSettings(server: "http://env:8080", token: "env-token"))

        let fromConfig = ConnectionSettings.resolve(
            serverOption: nil, tokenOption: nil, environment: [:], config: config)
        #expect(fromConfig == ConnectionSettings(server: "http://saved:8080", token: "saved-token"))

        let defaults = ConnectionSettings.resolve(serverOption: nil, tokenOption: nil, environment: [:], config: nil)
        #expect(defaults == ConnectionSettings(server: "http://127.0.0.1:8080", token: nil))
    }

    @Test func savedTokenIsNeverSentToAnotherServer() {
        let config = CLIConfig(server: "http://saved:8080/", token: "saved-token")
        let other = ConnectionSettings.resolve(
            serverOption: "http://elsewhere:8080", tokenOption: nil, environment: [:], config: config)
        #expect(other.token == nil)
        let same = ConnectionSettings.resolve(
            serverOption: "saved:8080", tokenOption: nil, environment: [:], config: config)
        #expect(same == ConnectionSettings(server: "http://saved:8080", token: "saved-token"))
    }

    @Test func serverURLsAreValidated() throws {
        #expect(try ConnectionSettings.url(for: "http://127.0.0.1:8080").port == 8080)
        #expect(throws: CLIError.self) { try ConnectionSettings.url(for: "ftp://host") }
        #expect(throws: CLIError.self) { try ConnectionSettings.url(for: "http://") }
    }
}
