import Foundation
import GantryCore
import GantryJSONSchema
import Testing

/// Runs every required Draft 2020-12 case of the official JSON-Schema-Test-Suite
/// (github.com/json-schema-org/JSON-Schema-Test-Suite; `optional/` is not required).
@Suite struct JSONSchemaSuiteTests {
    @Test func passesEveryRequiredDraft202012Case() throws {
        let suite = try #require(
            Self.suiteDirectory(),
            """
            JSON-Schema-Test-Suite not found: set GANTRY_JSON_SCHEMA_SUITE to a checkout \
            (the folder holding tests/ and remotes/), or place it at shared/testdata/json-schema-test-suite
            """)
        let registry = try Self.remotes(in: suite.appendingPathComponent("remotes"))
        let testsDirectory = suite.appendingPathComponent("tests/draft2020-12")
        let files = try FileManager.default.contentsOfDirectory(atPath: testsDirectory.path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        #expect(!files.isEmpty, "no test files in \(testsDirectory.path)")

        var passed = 0
        var failures: [String] = []
        for file in files {
            let document = try JSONValue(parsing: Data(contentsOf: testsDirectory.appendingPathComponent(file)))
            for group in document.arrayValue ?? [] {
                let groupName = "\(file): \(group["description"]?.stringValue ?? "?")"
                let cases = group["tests"]?.arrayValue ?? []
                let schema: JSONSchema
                do {
                    schema = try JSONSchema(group["schema"] ?? .null, registry: registry)
                } catch {
                    failures += cases.map { "\(groupName) / \($0["description"]?.stringValue ?? "?"): \(error)" }
                    continue
                }
                for testCase in cases {
                    let name = "\(groupName) / \(testCase["description"]?.stringValue ?? "?")"
                    guard case .bool(let expected)? = testCase["valid"] else {
                        failures.append("\(name): malformed case")
                        continue
                    }
                    let data = testCase["data"] ?? .null
                    let quick = schema.isValid(data)
                    let violations = schema.validate(data)
                    // Both entry points must agree with the suite (and so with each other).
                    if quick == expected && violations.isEmpty == expected {
                        passed += 1
                    } else {
                        failures.append(
                            "\(name): expected \(expected ? "valid" : "invalid"), isValid = \(quick), "
                                + "violations = \(violations.map(\.description))")
                    }
                }
            }
        }

        print("JSON-Schema-Test-Suite draft2020-12: \(passed) passed, \(failures.count) failed")
        for failure in failures { print("  FAILED \(failure)") }
        #expect(failures.isEmpty, "\(failures.count) suite cases failed")
        #expect(passed > 1000, "suspiciously few cases ran: \(passed)")
    }

    /// GANTRY_JSON_SCHEMA_SUITE first, then the shared test data next to this checkout, then the
    /// usual location on the development machines.
    static func suiteDirectory() -> URL? {
        var candidates: [URL] = []
        if let configured = ProcessInfo.processInfo.environment["GANTRY_JSON_SCHEMA_SUITE"], !configured.isEmpty {
            candidates.append(URL(fileURLWithPath: configured))
        }
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(
            repository.deletingLastPathComponent().appendingPathComponent("shared/testdata/json-schema-test-suite"))
        candidates.append(URL(fileURLWithPath: "/work/shared/testdata/json-schema-test-suite"))
        return candidates.first { candidate in
            var isDirectory: ObjCBool = false
            let tests = candidate.appendingPathComponent("tests/draft2020-12").path
            return FileManager.default.fileExists(atPath: tests, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }

    /// Every file under remotes/, as the suite's harness serves them: http://localhost:1234/<path>.
    static func remotes(in directory: URL) throws -> [String: JSONValue] {
        var registry: [String: JSONValue] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return registry }
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".json") else { continue }
            let data = try Data(contentsOf: directory.appendingPathComponent(relative))
            registry["http://localhost:1234/\(relative)"] = try JSONValue(parsing: data)
        }
        return registry
    }
}
