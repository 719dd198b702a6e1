import Testing

@testable import GantryCLI

@Suite struct AllPagesTests {
    @Test func fetchesPagesUntilTheTotal() async throws {
        let source = Array(0..<7)
        var requests: [[Int]] = []
        let result = try await AllPages.collect(pageSize: 3) { skip, limit in
            requests.append([skip, limit])
            return (Array(source.dropFirst(skip).prefix(limit)), source.count)
        }
        #expect(result.items == source)
        #expect(result.total == 7)
        #expect(requests == [[0, 3], [3, 3], [6, 3]])
    }

    @Test func stopsOnAnEmptyPageEvenBelowTheTotal() async throws {
        var calls = 0
        let result = try await AllPages.collect(pageSize: 2) { skip, _ -> (items: [Int], total: Int) in
            calls += 1
            return (skip == 0 ? [1, 2] : [], 10)
        }
        #expect(result.items == [1, 2])
        #expect(calls == 2)
    }

    @Test func anEmptyListIsOneRequest() async throws {
        var calls = 0
        let result = try await AllPages.collect { _, _ -> (items: [String], total: Int) in
            calls += 1
            return ([], 0)
        }
        #expect(result.items.isEmpty)
        #expect(calls == 1)
    }
}
