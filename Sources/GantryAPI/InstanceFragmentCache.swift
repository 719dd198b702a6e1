import Foundation
import GantryCore
import NIOCore
import Synchronization

/// Each instance's JSON object as the listing last wrote it. Listings are read far more often
/// than instances change, and writing the same object again was most of a listing's cost; an
/// entry is used only while the instance is equal to the one it was written from. Bounded: it
/// starts over when full.
final class InstanceFragmentCache: Sendable {
    /// A class, so a lookup compares in place instead of copying the instance out.
    private final class Entry: Sendable {
        let instance: Instance
        let fragment: ByteBuffer

        init(instance: Instance, fragment: ByteBuffer) {
            self.instance = instance
            self.fragment = fragment
        }
    }

    private let entries = Mutex<[UUID: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    /// The fragments of `instances`, in order, those missing or stale written with `encode`;
    /// nil when `encode` declines one.
    func fragments(
        for instances: [Instance], allocator: ByteBufferAllocator,
        encode: (Instance, inout ByteBuffer) -> Bool
    ) -> [ByteBuffer]? {
        var found: [ByteBuffer?] = entries.withLock { entries in
            instances.indices.map { index in
                guard let entry = entries[instances[index].id], entry.instance == instances[index] else { return nil }
                return entry.fragment
            }
        }
        var written: [Entry] = []
        for index in found.indices where found[index] == nil {
            var fragment = allocator.buffer(capacity: 720)
            guard encode(instances[index], &fragment) else { return nil }
            found[index] = fragment
            written.append(Entry(instance: instances[index], fragment: fragment))
        }
        if !written.isEmpty {
            entries.withLock { entries in
                if entries.count + written.count > capacity { entries.removeAll(keepingCapacity: true) }
                for entry in written { entries[entry.instance.id] = entry }
            }
        }
        return found.compactMap { $0 }
    }
}
