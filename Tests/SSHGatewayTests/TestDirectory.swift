import Foundation

/// A fresh temporary directory for one test, removed when the test is done with it.
struct TestDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-ssh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }

    static func with<T>(_ body: (TestDirectory) async throws -> T) async throws -> T {
        let directory = try TestDirectory()
        defer { directory.remove() }
        return try await body(directory)
    }
}
