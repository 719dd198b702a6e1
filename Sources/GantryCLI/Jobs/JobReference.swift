import Foundation
import GantryOpenAPI

/// What people may type where a job is expected: its full ID, or a prefix of 8+ characters as the table shows
/// it. Jobs have no names, so anything else is refused here rather than sent to the server as an ID. Pure, so it
/// is tested without a server; the commands feed it the caller's newest jobs.
enum JobReference {
    /// Completed and failed jobs are history; queued and processing ones still change.
    static func isFinished(_ status: Components.Schemas.JobStatus) -> Bool {
        switch status {
        case .completed, .failed: true
        case .queued, .processing: false
        }
    }

    /// The full ID that `reference` names among `jobs`. `isComplete` says whether `jobs` is every job the caller
    /// can see, so that a miss can say when older jobs were not looked at.
    static func resolve(
        _ reference: String, among jobs: [Components.Schemas.Job], isComplete: Bool = true
    ) throws -> String {
        let reference = reference.trimmingCharacters(in: .whitespaces)
        guard !reference.isEmpty else { throw CLIError.invalidInput("a job ID is required") }
        if let id = FullUUID.normalized(reference) { return id }
        guard InstanceReference.isIDPrefix(reference) else {
            throw CLIError.invalidInput(
                "\"\(reference)\" is not a job ID: give the full ID or its first "
                    + "\(InstanceReference.minimumPrefixLength)+ characters")
        }
        let prefix = reference.lowercased()
        let matches = jobs.filter { $0.id.lowercased().hasPrefix(prefix) }
        if matches.count == 1 { return matches[0].id }
        if matches.count > 1 {
            // Full IDs: two jobs can share the 8 characters a table shows.
            throw CLIError.ambiguous(
                "ID prefix \"\(reference)\" matches \(matches.count) jobs "
                    + "(\(matches.map(\.id).joined(separator: ", "))); type more of it")
        }
        let scope = isComplete ? "" : " among the \(jobs.count) newest jobs; give the full ID for an older one"
        throw CLIError.notFound("no job with an ID starting with \"\(reference)\"\(scope)")
    }
}
