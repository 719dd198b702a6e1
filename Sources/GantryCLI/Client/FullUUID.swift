import Foundation

/// A full UUID typed where an ID, prefix or name is accepted needs no lookup. The server's IDs are lowercase,
/// so input is normalised to match.
enum FullUUID {
    static func normalized(_ reference: String) -> String? {
        let trimmed = reference.trimmingCharacters(in: .whitespaces)
        guard trimmed.count == 36, UUID(uuidString: trimmed) != nil else { return nil }
        return trimmed.lowercased()
    }
}
