import Foundation
import GantryCore
import Synchronization

/// Runs one attempt of a job: the plugin's container with the input, to completion.
public protocol JobExecutor: Sendable {
    /// Throws `JobFailure` for failures of the run itself (engine errors: `.containerError`,
    /// the timeout: `.timeout`, output over the limit: `.invalidOutput`); a process that ran and
    /// exited, with any code, is returned.
    func run(
        _ job: Job, attempt: Int, plugin: Plugin, control: JobRunControl, progress: @escaping @Sendable (Double) -> Void
    ) async throws(JobFailure) -> JobRunOutput
}
