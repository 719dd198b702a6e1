import Foundation
import GantryOpenAPI

/// What people may type where an SSH key is expected: its ID (or an 8+ character prefix, as the table shows
/// it), its name, or its fingerprint as `ssh-keygen -l` prints it (with or without `SHA256:`). Pure, so it is
/// tested without a server; the command feeds it the caller's keys.
enum SSHKeyReference {
    static func resolve(
        _ reference: String, among keys: [Components.Schemas.SSHKey]
    ) throws -> Components.Schemas.SSHKey {
        let reference = reference.trimmingCharacters(in: .whitespaces)
        guard !reference.isEmpty else { throw CLIError.invalidInput("an SSH key ID, name or fingerprint is required") }

        if let id = FullUUID.normalized(reference) {
            guard let key = keys.first(where: { $0.id.lowercased() == id }) else {
                throw CLIError.notFound("no SSH key with ID \(id)")
            }
            return key
        }
        // Fingerprints are base64 and so case-sensitive; the algorithm prefix is optional.
        let fingerprint = reference.hasPrefix("SHA256:") ? reference : "SHA256:" + reference
        if let key = keys.first(where: { $0.fingerprint == fingerprint }) { return key }

        let named = keys.filter { $0.name == reference }
        if named.count == 1 { return named[0] }
        if named.count > 1 {
            throw CLIError.ambiguous(
                "\(named.count) SSH keys are named \"\(reference)\"; use an ID or fingerprint instead")
        }

        if InstanceReference.isIDPrefix(reference) {
            let prefix = reference.lowercased()
            let matches = keys.filter { $0.id.lowercased().hasPrefix(prefix) }
            if matches.count == 1 { return matches[0] }
            if matches.count > 1 {
                throw CLIError.ambiguous(
                    "ID prefix \"\(reference)\" matches \(matches.count) SSH keys; type more of it")
            }
        }
        throw CLIError.notFound("no SSH key with the ID, name or fingerprint \"\(reference)\"")
    }
}
