import GantryPorts
import GantryServices

/// Merges a process's stdout and stderr readers into the single pull-based stream
/// `ContainerExecSession.nextOutput()` offers, holding at most a few chunks so that a slow
/// consumer slows the readers down.
actor OutputQueue {
    private static let capacity = 8

    private var chunks: [ExecOutputChunk] = []
    private var openProducers: Int
    private var closed = false
    private var waitingConsumer: CheckedContinuation<ExecOutputChunk?, Never>?
    private var waitingProducers: [CheckedContinuation<Void, Never>] = []

    init(producers: Int) {
        openProducers = producers
    }

    /// Waits for room; `false` once the queue is closed and the producer should stop.
    func push(_ chunk: ExecOutputChunk) async -> Bool {
        while chunks.count >= Self.capacity, !closed {
            await withCheckedContinuation { waitingProducers.append($0) }
        }
        guard !closed else {
            return false
        }
        if let consumer = waitingConsumer {
            waitingConsumer = nil
            consumer.resume(returning: chunk)
        } else {
            chunks.append(chunk)
        }
        return true
    }

    func producerFinished() {
        openProducers -= 1
        if openProducers == 0, chunks.isEmpty, let consumer = waitingConsumer {
            waitingConsumer = nil
            consumer.resume(returning: nil)
        }
    }

    /// The next chunk, or `nil` once every producer has finished (or the queue was closed).
    func pop() async -> ExecOutputChunk? {
        if !chunks.isEmpty {
            let chunk = chunks.removeFirst()
            if !waitingProducers.isEmpty {
                waitingProducers.removeFirst().resume()
            }
            return chunk
        }
        guard openProducers > 0, !closed else {
            return nil
        }
        return await withCheckedContinuation { waitingConsumer = $0 }
    }

    func close() {
        closed = true
        chunks.removeAll()
        waitingConsumer?.resume(returning: nil)
        waitingConsumer = nil
        for producer in waitingProducers {
            producer.resume()
        }
        waitingProducers.removeAll()
    }
}
