import Logging
import Synchronization

/// Keeps every log message, with its merged metadata, for assertions.
struct RecordingLogHandler: LogHandler {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    final class Store: Sendable {
        private let entries = Mutex<[Entry]>([])

        var all: [Entry] {
            entries.withLock { $0 }
        }

        func append(_ entry: Entry) {
            entries.withLock { $0.append(entry) }
        }

        func first(_ message: String) -> Entry? {
            all.first { $0.message == message }
        }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    init(store: Store) {
        self.store = store
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.append(
            Entry(
                level: event.level, message: event.message.description,
                metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }
}
