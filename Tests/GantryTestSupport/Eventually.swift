/// Polls `condition` until it holds or `timeout` passes; returns whether it held. One definition
/// for every test target (they each had their own, with different defaults).
public func eventually(
    timeout: Duration = .seconds(20), every interval: Duration = .milliseconds(100),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}
