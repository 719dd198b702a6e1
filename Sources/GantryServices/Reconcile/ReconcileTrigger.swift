import Synchronization

/// Lets a use case ask the reconciler for a pass now instead of at its next tick. Pokes made
/// while a pass is pending collapse into one.
public final class ReconcileTrigger: Sendable {
    private let continuation: AsyncStream<Void>.Continuation
    public let stream: AsyncStream<Void>

    public init() {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.stream = stream
        self.continuation = continuation
    }

    public func poke() { continuation.yield() }
}
