import Foundation

extension Workload {
    /// One attempt of a job as a workload. Its id is the job's (the `gantry.id` label), its name
    /// the plugin's. The job worker owns the container for the attempt's whole life and never
    /// records its id, so a live attempt protects every container labelled with its job.
    /// The attempt a processing job holds (`job.attempts`) is running; the next one of a queued
    /// job (`job.attempts + 1`) is pending; any other attempt, and any attempt of a finished job,
    /// has ended.
    public static func jobAttempt(
        job: Job, attempt: Int, node: String, resources: WorkloadResources, template: ContainerTemplate
    ) -> Workload {
        let phase: WorkloadPhase =
            switch job.status {
            case .queued: attempt == job.attempts + 1 ? .pending : .ended
            case .processing: attempt == job.attempts ? .running : .ended
            case .completed, .failed: .ended
            }
        return Workload(
            kind: .job, id: job.id, name: job.pluginName, ownerID: job.ownerID, node: node, resources: resources,
            desired: phase == .ended ? .absent : .running, phase: phase, template: template,
            createdAt: job.createdAt, phaseSince: phase == .ended ? (job.completedAt ?? job.updatedAt) : job.updatedAt)
    }
}
