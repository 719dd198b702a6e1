/// A test's own error: a set-up step or a probe that did not give what the test needs.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
