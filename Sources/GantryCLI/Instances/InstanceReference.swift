import Foundation
import GantryOpenAPI

/// What people may type where an instance is expected: a full UUID, an 8+ character ID prefix, or the name.
/// Resolution is pure so it can be tested without a server; the commands feed it the caller's instances.
/// Sessions follow the same rules, so `noun` only changes the wording of errors.
enum InstanceReference {
    /// The fields resolution looks at.
    struct Candidate: Equatable, Sendable {
        var id: String
        var name: String
        var isTerminated: Bool

        init(id: String, name: String, isTerminated: Bool) {
            self.id = id
            self.name = name
            self.isTerminated = isTerminated
        }

        init(_ instance: Components.Schemas.Instance) {
            self.init(id: instance.id, name: instance.name, isTerminated: instance.state == .terminated)
        }
    }

    /// The shortest ID prefix accepted; shorter hex strings are too likely to be meant as names.
    static let minimumPrefixLength = 8

    static func isIDPrefix(_ reference: String) -> Bool {
        reference.count >= minimumPrefixLength && reference.allSatisfy { $0.isHexDigit || $0 == "-" }
    }

    /// The ID that `reference` names among `candidates`. A live instance with that exact name wins; otherwise an
    /// ID prefix must match exactly one instance (a live one if the prefix also matches terminated ones).
    static func resolve(
        _ reference: String, among candidates: [Candidate], noun: String = "instance"
    ) throws -> String {
        let reference = reference.trimmingCharacters(in: .whitespaces)
        guard !reference.isEmpty else { throw CLIError.invalidInput("the \(noun)'s ID or name is required") }
        if let id = FullUUID.normalized(reference) { return id }

        let named = candidates.filter { !$0.isTerminated && $0.name == reference }
        if named.count == 1 { return named[0].id }
        if named.count > 1 {
            throw CLIError.ambiguous(
                "\(named.count) \(noun)s are named \"\(reference)\" (\(ids(named))); use an ID instead")
        }

        if isIDPrefix(reference) {
            let prefix = reference.lowercased()
            let matches = candidates.filter { $0.id.lowercased().hasPrefix(prefix) }
            let live = matches.filter { !$0.isTerminated }
            if matches.count == 1 { return matches[0].id }
            if live.count == 1 { return live[0].id }
            if matches.count > 1 {
                throw CLIError.ambiguous(
                    "ID prefix \"\(reference)\" matches \(matches.count) \(noun)s (\(ids(matches))); type more of it")
            }
            throw CLIError.notFound("no \(noun) named \"\(reference)\" or with an ID starting with it")
        }
        throw CLIError.notFound("no \(noun) named \"\(reference)\"")
    }

    private static func ids(_ candidates: [Candidate]) -> String {
        // Full IDs: two instances can share the 8 characters a table shows.
        candidates.map(\.id).joined(separator: ", ")
    }
}
