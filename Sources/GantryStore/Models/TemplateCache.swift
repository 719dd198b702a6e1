import Foundation
import GantryCore
import Synchronization

/// Decoded container templates by workload id. A template is decided once at admission and never
/// changes afterwards, so listings need not decode the same JSON on every read; an entry is used
/// only while the stored text is exactly the one it was decoded from, so a rewritten template is
/// decoded afresh. Bounded: it starts over when full.
final class TemplateCache: Sendable {
    private struct Entry {
        let text: String
        let template: ContainerTemplate
    }

    private let entries = Mutex<[UUID: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    func template(for id: UUID, stored text: String?, column: String) throws -> ContainerTemplate {
        guard let text else { throw StoreMappingError.missing(column) }
        if let entry = entries.withLock({ $0[id] }), entry.text == text { return entry.template }
        let template = try StoredTemplate.decode(text, column: column)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[id] = Entry(text: text, template: template)
        }
        return template
    }
}
